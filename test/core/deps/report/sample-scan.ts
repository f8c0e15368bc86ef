/**
 * A scan result built from the real advisories: a small npm lockfile with known-vulnerable
 * versions (and one approval), a small Cargo.lock, and the real retraced package-lock.
 */
import { readFileSync } from 'node:fs';
import { AdvisoryIndex, type ScannedPackage } from '../../../../src/core/deps/osv/index.js';
import type { LockfileScan, ScanResult } from '../../../../src/core/deps/report/index.js';
import { sharedPath } from '../../../support/shared-data.js';
import { CORPORA, recordsOf } from '../osv/advisory-corpus.js';

let index: AdvisoryIndex | undefined;
export function realIndex(): AdvisoryIndex {
  if (!index) {
    index = new AdvisoryIndex();
    index.addAll(CORPORA.flatMap((c) => recordsOf(c)));
  }
  return index;
}

function scan(path: string, format: string, packages: ScannedPackage[]): LockfileScan {
  const idx = realIndex();
  return { path, format, packages, findings: packages.flatMap((p) => idx.match(p)) };
}

export const npm = (name: string, version: string): ScannedPackage => ({ name, version, ecosystem: 'npm' });
export const crate = (name: string, version: string): ScannedPackage => ({
  name,
  version,
  ecosystem: 'crates.io',
});

export function sampleScan(): ScanResult {
  const web = scan('apps/web/package-lock.json', 'package-lock.json@3', [
    npm('lodash', '4.17.15'),
    npm('ms', '0.7.0'),
    npm('decode-uri-component', '0.2.0'),
    npm('@babel/core', '7.0.0'),
    npm('express', '4.18.2'),
  ]);
  // Accept the decode-uri-component finding: exercised by the approval paths of every format.
  for (const f of web.findings) {
    if (f.id === 'GHSA-w573-4hg7-7wgq') {
      f.approved = true;
      f.approval = {
        approved_by: 'alice',
        reason: 'not reachable: only used at build time',
        expires_at: '2030-01-01T00:00:00Z',
      };
    }
  }
  const rust = scan('services/engine/Cargo.lock', 'Cargo.lock@4', [
    crate('smallvec', '0.6.5'),
    crate('wasmtime', '0.34.0'),
    crate('serde', '1.0.0'),
  ]);
  return {
    scanned_at: '2026-01-15T10:00:00.000Z',
    tool: { name: 'bulwark', version: '0.1.0' },
    lockfiles: [web, rust],
  };
}

/** The retraced project's package-lock v3, read minimally (the real parser lives in lockfiles/). */
export function retracedScan(): LockfileScan {
  const lock = JSON.parse(
    readFileSync(sharedPath('osv', 'lockfiles', 'npm-v3__retracedhq-retraced__package-lock.json'), 'utf8'),
  ) as {
    packages: Record<string, { version?: string }>;
  };
  const seen = new Set<string>();
  const packages: ScannedPackage[] = [];
  for (const [path, p] of Object.entries(lock.packages)) {
    const at = path.lastIndexOf('node_modules/');
    if (at < 0 || !p.version) continue;
    const pkg = npm(path.slice(at + 'node_modules/'.length), p.version);
    const key = `${pkg.name}@${pkg.version}`;
    if (seen.has(key)) continue;
    seen.add(key);
    packages.push(pkg);
  }
  return scan('package-lock.json', 'package-lock.json@3', packages);
}
