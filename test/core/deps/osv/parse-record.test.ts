import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseOsvRecord, type OsvRecord } from '../../../../src/core/deps/osv/index.js';
import { describeWithSharedData, sharedPath } from '../../../support/shared-data.js';
import { parseCorpus, recordById } from './advisory-corpus.js';

describeWithSharedData('parseOsvRecord on the real corpora', () => {
  it('parses all 1,206 RustSec records', () => {
    const files = parseCorpus('crates.io-rustsec');
    expect(files).toHaveLength(1206);
    expect(files.filter((f) => !f.result.ok).map((f) => f.file)).toEqual([]);
  });

  it('parses all 17 npm GitHub advisories and the osv-scanner one', () => {
    expect(parseCorpus('npm-ghsa').filter((f) => f.result.ok)).toHaveLength(17);
    expect(parseCorpus('osv-scanner-misc').filter((f) => f.result.ok)).toHaveLength(1);
  });

  it('parses 463 of the 464 legacy npm files and refuses NSWG-undefined.json, naming `modified`', () => {
    const files = parseCorpus('npm-legacy-as-osv');
    expect(files).toHaveLength(464);
    const refused = files.filter((f) => !f.result.ok);
    expect(refused.map((f) => f.file)).toEqual(['NSWG-undefined.json']);
    // That file is the converter's output for the legacy index.json: "modified": "undefinedT00:00:00Z".
    const r = refused[0]?.result;
    expect(r?.ok).toBe(false);
    if (r && !r.ok) {
      expect(r.error.code).toBe('validation_failed');
      expect(r.error.field).toBe('modified');
    }
  });

  it('parses every OSV side of the schema repository’s GHSA→OSV conversion pairs', () => {
    const dir = sharedPath('osv', 'schema', 'ghsa-to-osv-pairs');
    const files = readdirSync(dir).filter((f) => f.endsWith('.osv.json'));
    expect(files.length).toBe(11);
    for (const f of files) {
      const r = parseOsvRecord(readFileSync(`${dir}/${f}`, 'utf8'));
      expect(r.ok, f).toBe(true);
    }
  });

  it('keeps the fields matching needs, exactly as written', () => {
    const r = recordById('crates.io-rustsec', 'RUSTSEC-2021-0003');
    expect(r.aliases).toEqual(['CVE-2021-25900', 'GHSA-43w2-9j62-hq99']);
    expect(r.severity).toEqual([{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }]);
    expect(r.affected[0]?.package).toEqual({
      ecosystem: 'crates.io',
      name: 'smallvec',
      purl: 'pkg:cargo/smallvec',
    });
    expect(r.affected[0]?.ranges).toEqual([
      {
        type: 'SEMVER',
        events: [{ introduced: '0.6.3' }, { fixed: '0.6.14' }, { introduced: '1.0.0' }, { fixed: '1.6.1' }],
      },
    ]);
    expect(r.affected[0]?.versions).toEqual([]);
    expect(r.affected[0]?.database_specific?.['categories']).toEqual(['memory-corruption']);
    const withdrawn = recordById('crates.io-rustsec', 'RUSTSEC-2020-0053');
    expect(withdrawn.withdrawn).toBe('2021-04-19T12:00:00Z');
  });
});

/** A small valid record to break one field at a time. */
const base = (): Record<string, unknown> => ({
  id: 'GHSA-aaaa-bbbb-cccc',
  modified: '2024-01-02T03:04:05Z',
  aliases: ['CVE-2024-0001'],
  affected: [
    {
      package: { ecosystem: 'npm', name: 'left-pad' },
      ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.3.0' }] }],
    },
  ],
});

function refusal(input: unknown): { code: string; field: string | undefined; message: string } {
  const r = parseOsvRecord(input);
  if (r.ok) throw new Error('expected a refusal');
  return { code: r.error.code, field: r.error.field, message: r.error.message };
}

describe('parseOsvRecord: lenient but safe', () => {
  it('accepts null for optional fields and fills absent arrays', () => {
    const r = parseOsvRecord({
      ...base(),
      aliases: null,
      severity: null,
      references: null,
      summary: null,
      extra: 1,
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const rec: OsvRecord = r.record;
    expect(rec.aliases).toEqual([]);
    expect(rec.severity).toEqual([]);
    expect(rec.related).toEqual([]);
    expect(rec.affected[0]?.versions).toEqual([]);
    expect('summary' in rec).toBe(false);
    expect('extra' in rec).toBe(false);
  });

  it('accepts a JSON string and refuses bad JSON with invalid_json', () => {
    expect(parseOsvRecord(JSON.stringify(base())).ok).toBe(true);
    expect(refusal('{"id": ').code).toBe('invalid_json');
  });

  it('refuses what is not an object, naming the input', () => {
    expect(refusal([1, 2])).toMatchObject({ code: 'validation_failed', field: 'input' });
    expect(refusal(42).field).toBe('input');
  });

  it('requires id and modified', () => {
    const noId = base();
    delete noId['id'];
    expect(refusal(noId)).toMatchObject({ field: 'id', message: 'id: is required' });
    expect(refusal({ ...base(), modified: 'yesterday' }).field).toBe('modified');
    expect(refusal({ ...base(), id: 'has space' }).field).toBe('id');
  });

  it('refuses an event holding two kinds, naming the event', () => {
    const bad = base();
    (bad['affected'] as { ranges: unknown[] }[])[0]!.ranges = [
      { type: 'SEMVER', events: [{ introduced: '0' }, { introduced: '1.0.0', fixed: '1.0.2' }] },
    ];
    const e = refusal(bad);
    expect(e.field).toBe('affected.0.ranges.0.events.1');
    expect(e.message).toContain('not introduced and fixed');
  });

  it('refuses an empty event and an empty version', () => {
    const bad = base();
    (bad['affected'] as { ranges: unknown[] }[])[0]!.ranges = [
      { type: 'SEMVER', events: [{ introduced: '0' }, {}] },
    ];
    expect(refusal(bad).field).toBe('affected.0.ranges.0.events.1');
    const empty = base();
    (empty['affected'] as { ranges: unknown[] }[])[0]!.ranges = [
      { type: 'SEMVER', events: [{ introduced: '' }] },
    ];
    expect(refusal(empty).field).toBe('affected.0.ranges.0.events.0.introduced');
  });

  it('refuses a range without introduced, or mixing fixed and last_affected', () => {
    const noIntro = base();
    (noIntro['affected'] as { ranges: unknown[] }[])[0]!.ranges = [
      { type: 'SEMVER', events: [{ fixed: '1.0.0' }] },
    ];
    expect(refusal(noIntro)).toMatchObject({
      field: 'affected.0.ranges.0.events',
      message: expect.stringContaining('introduced'),
    });
    const mixed = base();
    (mixed['affected'] as { ranges: unknown[] }[])[0]!.ranges = [
      { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.0.0' }, { last_affected: '2.0.0' }] },
    ];
    expect(refusal(mixed).field).toBe('affected.0.ranges.0.events');
  });

  it('keeps unknown range types (they are never matched) and GIT ranges without repo', () => {
    const r = parseOsvRecord({
      ...base(),
      affected: [
        {
          package: { ecosystem: 'npm', name: 'x' },
          ranges: [
            { type: 'GIT', events: [{ introduced: '0' }] },
            { type: 'FUTURE', events: [{ introduced: '0' }] },
          ],
        },
      ],
    });
    expect(r.ok && r.record.affected[0]?.ranges.map((g) => g.type)).toEqual(['GIT', 'FUTURE']);
  });

  it('refuses a package without a name', () => {
    expect(refusal({ ...base(), affected: [{ package: { ecosystem: 'npm' } }] }).field).toBe(
      'affected.0.package.name',
    );
  });
});
