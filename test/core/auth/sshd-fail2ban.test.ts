/**
 * The sshd parser against every annotated line of fail2ban's sshd sample log (109 failures, 46
 * lines that must not count), run the way fail2ban runs it: each `filterOptions` block once per
 * mode it lists, lines whose `constraint` excludes the mode left out, and one parser instance
 * (one connection context) per mode across the whole file.
 *
 * A line "matches" when it yields a failure, or a success flagged as following failures for other
 * users (fail2ban counts that as a failure of the connection: gh-2070 in its tracker).
 */
import { expect, it } from 'vitest';
import { SshdParser, type SshdMode } from '../../../src/core/auth/parsers/sshd.js';
import type { ParsedAttempt } from '../../../src/core/auth/parsers/types.js';
import { describeWithSharedData, sharedPath } from '../../support/shared-data.js';
import {
  FAIL2BAN_NOW,
  constraintHolds,
  readFail2banSamples,
  zurichTime,
  type SampleLine,
} from './support/fail2ban-samples.js';

const MODES: SshdMode[] = ['normal', 'ddos', 'extra', 'aggressive'];

const counted = (attempts: ParsedAttempt[]): ParsedAttempt[] =>
  attempts.filter((a) => a.result === 'failure' || a.suspicious !== undefined);

/** Everything wrong with the parser's answer for one line, as readable strings (empty when it agrees). */
function disagreements(s: SampleLine, attempts: ParsedAttempt[]): string[] {
  const e = s.expect;
  const c = counted(attempts);
  const where = `line ${s.lineNo} (${e.desc ?? s.line.slice(0, 90)})`;
  if (!e.match) return c.length === 0 ? [] : [`${where}: expected no failure, got ${c.length}`];
  if (c.length === 0) return [`${where}: expected a failure, got none`];
  const out: string[] = [];
  if (e.host !== undefined && !c.every((a) => a.source_ip === e.host))
    out.push(`${where}: host ${c.map((a) => a.source_ip).join(',')} != ${e.host}`);
  if (e.time !== undefined) {
    // failJSON times have whole seconds; the parser keeps the log's fraction (RFC 5424, rsyslog).
    const latest = Math.floor(Math.max(...c.map((a) => a.resolved_at ?? a.timestamp)) / 1000) * 1000;
    if (latest !== zurichTime(e.time))
      out.push(`${where}: time ${new Date(latest).toISOString()} != ${e.time} Europe/Zurich`);
  }
  if (e.user !== undefined && !c.every((a) => a.user === e.user))
    out.push(`${where}: user ${JSON.stringify(c.map((a) => a.user))} != ${JSON.stringify(e.user)}`);
  if (e.users !== undefined && !c.every((a) => a.user !== null && e.users!.includes(a.user)))
    out.push(`${where}: users ${JSON.stringify(c.map((a) => a.user))} not in ${JSON.stringify(e.users)}`);
  if (e.attempts !== undefined && c.length !== e.attempts)
    out.push(`${where}: ${c.length} attempts != ${e.attempts}`);
  return out;
}

/** Runs the sample file in one mode; returns the lines checked and what disagreed. */
function runMode(samples: SampleLine[], mode: SshdMode, inBlock: (s: SampleLine) => boolean) {
  const parser = new SshdParser({ mode, now: FAIL2BAN_NOW, tz: 'Europe/Zurich' });
  const checked: SampleLine[] = [];
  const wrong: string[] = [];
  for (const s of samples) {
    if (!inBlock(s) || !constraintHolds(s.expect.constraint, mode)) continue;
    const r = parser.parseLine(s.line);
    checked.push(s);
    wrong.push(...disagreements(s, 'attempts' in r ? r.attempts : []));
  }
  return { checked, wrong };
}

describeWithSharedData('sshd parser vs fail2ban sshd.log (every annotated line)', () => {
  const samples = readFail2banSamples(sharedPath('authlogs/fail2ban/logs/sshd.log'));

  it('reads the 155 annotated lines the issue counts: 109 failures, 46 non-failures', () => {
    expect(samples).toHaveLength(155);
    expect(samples.filter((s) => s.expect.match)).toHaveLength(109);
  });

  for (const mode of MODES) {
    it(`agrees on every line of the blocks fail2ban runs in ${mode} mode`, () => {
      const { checked, wrong } = runMode(samples, mode, (s) => s.modes.includes(mode));
      expect(checked.length).toBeGreaterThan(0);
      expect(wrong).toEqual([]);
    });
  }

  it('covers every annotated line in at least one mode', () => {
    const seen = new Set<number>();
    for (const mode of MODES)
      for (const s of runMode(samples, mode, (x) => x.modes.includes(mode)).checked) seen.add(s.lineNo);
    expect(seen.size).toBe(155);
    expect(samples.filter((s) => seen.has(s.lineNo) && s.expect.match)).toHaveLength(109);
  });

  it("in Bulwark's default (aggressive) mode over the whole file, differs only where fail2ban's own modes differ", () => {
    // Blocks fail2ban runs in normal mode only expect normal-mode answers; aggressive is a superset
    // of normal, so the only disagreements allowed are lines expected *not* to match there.
    const { checked, wrong } = runMode(samples, 'aggressive', () => true);
    expect(checked.length).toBeGreaterThan(150);
    const normalOnly = new Set(samples.filter((s) => !s.modes.includes('aggressive')).map((s) => s.lineNo));
    for (const w of wrong) {
      const lineNo = Number(/^line (\d+)/.exec(w)![1]);
      expect(normalOnly.has(lineNo), w).toBe(true);
      expect(w).toContain('expected no failure');
    }
    // The one such line: a client leaving mid-authentication, which the extra/aggressive modes count.
    expect(wrong).toHaveLength(1);
    expect(wrong[0]).toContain('Disconnected during preauth phase');
  });
});
