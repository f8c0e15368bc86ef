/**
 * The repository policy file, `bulwark.toml`, read from the scanned project:
 *
 *     [[approvals]]
 *     id = "GHSA-jf85-cpcp-j695"          # any id of the advisory (GHSA, CVE, RUSTSEC…)
 *     package = "lodash"                   # optional
 *     versions = "<4.17.21"                # optional, npm semver range syntax
 *     path = "express > body-parser"       # optional, a run of steps in a dependency path
 *     reason = "not reachable: we never call _.template with user input"
 *     approver = "alice@example.com"
 *     expires = 2026-06-30                 # TOML date, or a string date / ISO time
 *
 * Unknown keys are refused (a misspelt `expires` must not create an approval that never ends).
 */
import { parse, TomlError } from 'smol-toml';
import { BulwarkError } from '../../errors.js';
import { parseWithSchema } from '../../validation.js';
import { approvalInputSchema, parseExpiry, type ApprovalRule } from './approval.js';

/** Policy files are small; anything larger is not one. */
export const MAX_POLICY_BYTES = 1024 * 1024;
const MAX_APPROVALS = 10_000;

const policyError = (file: string, message: string, line?: number): BulwarkError =>
  new BulwarkError('validation_failed', `${file}${line !== undefined ? `:${line}` : ''}: ${message}`, {
    field: file,
    details: line !== undefined ? { file, line } : { file },
  });

export function parsePolicy(fileName: string, text: string): ApprovalRule[] {
  if (text.length > MAX_POLICY_BYTES) throw policyError(fileName, 'policy file is larger than 1 MiB');
  let doc: Record<string, unknown>;
  try {
    doc = parse(text) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof TomlError)
      throw policyError(fileName, `not valid TOML (${e.message.split('\n', 1)[0]})`, e.line);
    throw policyError(fileName, 'not valid TOML');
  }
  for (const key of Object.keys(doc))
    if (key !== 'approvals') throw policyError(fileName, `unknown key "${key}" (only [[approvals]] is read)`);
  const list = doc['approvals'];
  if (list === undefined) return [];
  if (!Array.isArray(list))
    throw policyError(fileName, 'approvals must be an array of tables ([[approvals]])');
  if (list.length > MAX_APPROVALS) throw policyError(fileName, `more than ${MAX_APPROVALS} approvals`);
  return list.map((entry, i) => {
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry))
      throw policyError(fileName, `approvals.${i} must be a table`);
    const e = entry as Record<string, unknown>;
    const { id, versions, path, expires, ...rest } = e;
    const input = {
      ...rest,
      ...(id !== undefined ? { advisory_id: id } : {}),
      ...(versions !== undefined ? { version_range: versions } : {}),
      ...(path !== undefined ? { dep_path: path } : {}),
      // smol-toml gives TOML dates as Date objects (TomlDate); a local date means that UTC day.
      ...(expires !== undefined
        ? { expires: expires instanceof Date ? tomlDateText(expires) : expires }
        : {}),
    };
    let p;
    try {
      p = parseWithSchema(approvalInputSchema, input);
    } catch (err) {
      const field = err instanceof BulwarkError && err.field ? renamed(err.field) : 'entry';
      const msg = err instanceof BulwarkError ? err.message.replace(/^[^:]*: /, '') : 'invalid';
      throw policyError(fileName, `approvals.${i}.${field}: ${msg}`);
    }
    return {
      id: `policy:${fileName}#${i}`,
      advisory_id: p.advisory_id,
      package: p.package ?? null,
      version_range: p.version_range ?? null,
      dep_path: p.dep_path ?? null,
      reason: p.reason,
      approver: p.approver,
      expires_at: parseExpiry(p.expires) as number,
      source: 'policy' as const,
    };
  });
}

const RENAME: Record<string, string> = { advisory_id: 'id', version_range: 'versions', dep_path: 'path' };
const renamed = (field: string): string => RENAME[field] ?? field;

function tomlDateText(d: Date): string {
  // smol-toml's TomlDate prints a date-only value as its day (2026-06-30) and a local date-time
  // without an offset; both are read as UTC, which is what parseExpiry does with them.
  const s = d.toISOString();
  return /^\d{4}-\d{2}-\d{2}T[^Z+-]*$/.test(s) ? `${s}Z` : s;
}
