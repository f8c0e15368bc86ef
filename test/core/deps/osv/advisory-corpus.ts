/** Reads the shared OSV advisory corpora (shared/data/osv/advisories/<folder>/*.json) for tests. */
import { readdirSync, readFileSync } from 'node:fs';
import { parseOsvRecord, type OsvParseResult, type OsvRecord } from '../../../../src/core/deps/osv/index.js';
import { sharedPath } from '../../../support/shared-data.js';

export const CORPORA = ['crates.io-rustsec', 'npm-ghsa', 'npm-legacy-as-osv', 'osv-scanner-misc'] as const;
export type Corpus = (typeof CORPORA)[number];

export interface ParsedFile {
  file: string;
  result: OsvParseResult;
}

const cache = new Map<Corpus, ParsedFile[]>();

export function parseCorpus(corpus: Corpus): ParsedFile[] {
  let files = cache.get(corpus);
  if (!files) {
    const dir = sharedPath('osv', 'advisories', corpus);
    files = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((file) => ({ file, result: parseOsvRecord(readFileSync(`${dir}/${file}`, 'utf8')) }));
    cache.set(corpus, files);
  }
  return files;
}

/** The records of a corpus that parse (tests assert separately which do not). */
export function recordsOf(corpus: Corpus): OsvRecord[] {
  return parseCorpus(corpus).flatMap(({ result }) => (result.ok ? [result.record] : []));
}

export function recordById(corpus: Corpus, id: string): OsvRecord {
  const r = recordsOf(corpus).find((x) => x.id === id);
  if (!r) throw new Error(`${id} not in ${corpus}`);
  return r;
}
