/**
 * The redaction corpus through a real write: every gitleaks `match` secret and every Presidio PII
 * span, placed inside nested metadata, is gone from the row as the store holds it (read back from
 * SQLite and PostgreSQL). Prints the false-positive rate on the `no_match` lines.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Bulwark, createBulwark } from '../../src/app/bulwark.js';
import { PII_KINDS } from '../../src/core/audit/pii-patterns.js';
import { createRedactor } from '../../src/core/audit/redaction.js';
import { AuditService } from '../../src/app/services/audit.js';
import { SqlAuditStore } from '../../src/adapters/sql/audit-store.js';
import type { AuditRow } from '../../src/core/ports/audit-store.js';
import { describeEachBackend } from '../support/backends.js';
import { describeWithSharedData, sharedPath } from '../support/shared-data.js';
import {
  type GitleaksCase,
  loadGitleaksCases,
  loadGitleaksRules,
  longestSurvivingPart,
  secretsIn,
} from '../core/audit/support/gitleaks-corpus.js';

interface PresidioCase {
  text: string;
  expected_count: number;
  spans: Array<[number, number]>;
}

const nest = (text: string) => ({ request: { items: [{ detail: { note: text } }] }, level: 'info' });
const noteOf = (meta: string): string =>
  (JSON.parse(meta) as { request: { items: Array<{ detail: { note: string } }> } }).request.items[0]!.detail
    .note;
const piiMarker = new RegExp(`\\[REDACTED:(?:${PII_KINDS.join('|')})[\\]:]`, 'g');
const hasSecretMarker = (s: string) => /\[REDACTED:/.test(s.replace(piiMarker, ''));

async function firstChunk(it: AsyncIterable<AuditRow[]>): Promise<AuditRow[] | undefined> {
  for await (const c of it) return c;
  return undefined;
}

async function writeAndReadBack(b: Bulwark, texts: string[]): Promise<string[]> {
  const head = (await b.audit.head()).seq;
  for (let i = 0; i < texts.length; i += 200) {
    await b.audit.appendBatch(
      texts.slice(i, i + 200).map((t) => ({
        event_type: 'config_change',
        source_ip: '127.0.0.1',
        action: 'corpus',
        outcome: 'allowed',
        metadata: nest(t),
      })),
    );
  }
  const out: string[] = [];
  for await (const chunk of b.audit.range(head + 1, head + texts.length))
    for (const r of chunk) out.push(noteOf(r.metadata));
  expect(out).toHaveLength(texts.length);
  return out;
}

describeWithSharedData('redaction corpus', () =>
  describeEachBackend('redaction corpus through the store', (backend) => {
    let b: Bulwark;
    let cases: GitleaksCase[];
    let rules: Map<string, RegExp>;
    beforeAll(async () => {
      b = await createBulwark({ database_url: backend.url() }, { logLevel: 'silent', env: {} });
      cases = loadGitleaksCases();
      rules = loadGitleaksRules(cases.map((c) => c.rule_id));
    });
    afterAll(async () => b?.close());

    it('every gitleaks match secret is gone after the write; prints the no_match false-positive rate', async () => {
      const match = cases.filter((c) => c.expect === 'match');
      const noMatch = cases.filter((c) => c.expect === 'no_match');
      const stored = await writeAndReadBack(
        b,
        match.map((c) => c.text),
      );
      const leaks: string[] = [];
      match.forEach((c, i) => {
        for (const secret of secretsIn(c.text, rules.get(c.rule_id))) {
          const surviving = longestSurvivingPart(secret, stored[i]!);
          if (surviving > Math.min(8, secret.length - 1))
            leaks.push(`${c.rule_id}: ${surviving}/${secret.length} survive`);
        }
        expect(stored[i]).toMatch(/\[REDACTED:[a-z_]+/);
      });
      expect(leaks).toEqual([]);
      const storedNo = await writeAndReadBack(
        b,
        noMatch.map((c) => c.text),
      );
      const fp = storedNo.filter(hasSecretMarker).length;
      console.log(
        `[${backend.name}] gitleaks through the store: ${match.length}/${match.length} match lines redacted; false positives on no_match: ${fp}/${noMatch.length} = ${((100 * fp) / noMatch.length).toFixed(1)}%`,
      );
      expect(fp / noMatch.length).toBeLessThanOrEqual(0.2);
    });

    it('every Presidio PII span (cards, e-mail, phone) is gone after the write', async () => {
      const corpus = JSON.parse(
        readFileSync(sharedPath('vuln', 'pii', 'presidio_recognizer_test_cases.json'), 'utf8'),
      ) as Record<string, PresidioCase[]>;
      for (const entity of ['CREDIT_CARD', 'EMAIL_ADDRESS', 'PHONE_NUMBER']) {
        // The Israeli national form is a configured pattern (as an operator would add it), not a default.
        const list = corpus[entity]!.filter(
          (c) => !(c as { entities?: string[] }).entities?.includes('IL_PHONE_NUMBER'),
        );
        const stored = await writeAndReadBack(
          b,
          list.map((c) => c.text),
        );
        let spans = 0;
        let negatives = 0;
        let changedNegatives = 0;
        const survivors: string[] = [];
        list.forEach((c, i) => {
          for (const [a, z] of c.spans) {
            spans++;
            if (stored[i]!.includes(c.text.slice(a, z))) survivors.push(`${entity}: ${c.text.slice(a, z)}`);
          }
          if (c.expected_count === 0) {
            negatives++;
            if (stored[i] !== c.text) changedNegatives++;
          }
        });
        console.log(
          `[${backend.name}] ${entity} through the store: ${spans - survivors.length}/${spans} spans redacted; negatives changed ${changedNegatives}/${negatives}`,
        );
        expect(survivors).toEqual([]);
      }
      const il = corpus.PHONE_NUMBER!.find((c) =>
        (c as { entities?: string[] }).entities?.includes('IL_PHONE_NUMBER'),
      )!;
      const configured = new AuditService(
        new SqlAuditStore(b.store),
        b.clock,
        b.metrics,
        createRedactor({
          extraPatterns: [{ kind: 'phone', regex: /(?<![\w+-])0[2-9]-?\d{7}(?!\d)/g }],
        }),
      );
      const [row] = await configured.appendBatch([
        {
          event_type: 'config_change',
          source_ip: '127.0.0.1',
          action: 'corpus',
          outcome: 'allowed',
          metadata: nest(il.text),
        },
      ]);
      const [stored] = (await firstChunk(b.audit.range(row!.seq, row!.seq)))!;
      expect(noteOf(stored!.metadata)).toBe('My Israeli number is [REDACTED:phone]');
    });
  }),
);
