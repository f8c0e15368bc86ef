/**
 * Reading client addresses out of proxy headers: RFC 7239 `Forwarded` and the de-facto
 * `X-Forwarded-For`. Both yield one entry per hop, left (closest to the client) to right (closest
 * to us); an entry is the canonical IP or null when that hop did not name a usable address
 * (`unknown`, an obfuscated identifier such as `_hidden`, a missing `for=`, or garbage).
 */
import { formatV4, formatV6, parseAddress, v4Value, v6Groups } from './ip-parse.js';

function canonical(text: string): string | null {
  const kind = parseAddress(text);
  if (kind === 4) return formatV4(v4Value);
  if (kind === 6) return formatV6(v6Groups);
  return null;
}

/**
 * Canonical IP of a node as proxies write it: `1.2.3.4`, `1.2.3.4:8080`, `[2001:db8::1]`,
 * `[2001:db8::1]:443`, a bare IPv6 address, or RFC 7239 `unknown` / `_obfuscated` (→ null).
 * The port is dropped (it may be obfuscated too: `[::1]:_p1`).
 */
export function nodeIp(raw: string): string | null {
  const s = raw.trim();
  if (s.length === 0 || s.length > 100) return null;
  const c0 = s.charCodeAt(0);
  if (c0 === 95 /* _ */) return null;
  if (c0 === 91 /* [ */) {
    const close = s.indexOf(']');
    if (close === -1) return null;
    if (close + 1 < s.length && s.charCodeAt(close + 1) !== 58) return null; // junk after ']'
    const inner = s.slice(1, close);
    return inner.indexOf(':') === -1 ? null : canonical(inner); // brackets hold IPv6 only
  }
  const colon = s.indexOf(':');
  if (colon !== -1 && s.indexOf('.') !== -1 && s.indexOf(':', colon + 1) === -1) {
    return canonical(s.slice(0, colon)); // IPv4 with a port
  }
  return canonical(s); // 'unknown' and other garbage fall out here as null
}

/** Splits header lines into the comma-separated list they form (several lines join in order). */
function joinLines(header: string | readonly string[]): string {
  return typeof header === 'string' ? header : header.join(',');
}

/** Canonical IP (or null) of each hop named in X-Forwarded-For, left to right. */
export function parseXForwardedFor(header: string | readonly string[]): Array<string | null> {
  const text = joinLines(header);
  const out: Array<string | null> = [];
  for (const part of text.split(',')) {
    if (part.trim() !== '') out.push(nodeIp(part)); // empty list elements are ignored (RFC 9110 §5.6.1)
  }
  return out;
}

const TOKEN_END = new Set([';', ',', ' ', '\t', '"', '=']);

/**
 * The `for=` parameter of each element of an RFC 7239 Forwarded header, as canonical IPs left to
 * right; null for an element without a usable `for` (missing, `unknown`, obfuscated, repeated,
 * malformed). Quoted strings may contain commas, semicolons and backslash escapes.
 */
export function parseForwardedFor(header: string | readonly string[]): Array<string | null> {
  const s = joinLines(header);
  const out: Array<string | null> = [];
  const n = s.length;
  let i = 0;
  let forValue: string | null = null;
  let forCount = 0;
  let broken = false;
  let sawAnything = false;

  // Empty list elements (", ,") are ignored, as RFC 9110's list syntax requires.
  const endElement = (): void => {
    if (sawAnything || broken)
      out.push(broken || forCount !== 1 || forValue === null ? null : nodeIp(forValue));
    forValue = null;
    forCount = 0;
    broken = false;
  };

  while (i < n) {
    const ch = s[i]!;
    if (ch === ' ' || ch === '\t' || ch === ';') {
      i++;
      continue;
    }
    if (ch === ',') {
      endElement();
      sawAnything = false;
      i++;
      continue;
    }
    sawAnything = true;
    // name
    const nameStart = i;
    while (i < n && !TOKEN_END.has(s[i]!)) i++;
    const name = s.slice(nameStart, i).toLowerCase();
    if (s[i] !== '=' || name.length === 0) {
      broken = true;
      while (i < n && s[i] !== ',' && s[i] !== ';') i++; // skip to the next pair
      continue;
    }
    i++; // '='
    let value: string;
    if (s[i] === '"') {
      i++;
      let v = '';
      let closed = false;
      while (i < n) {
        const q = s[i]!;
        if (q === '\\' && i + 1 < n) {
          v += s[i + 1];
          i += 2;
        } else if (q === '"') {
          closed = true;
          i++;
          break;
        } else {
          v += q;
          i++;
        }
      }
      if (!closed) {
        // An unterminated quote swallows the rest of the header: nothing after it is trustworthy.
        broken = true;
        break;
      }
      value = v;
    } else {
      const valueStart = i;
      while (i < n && s[i] !== ';' && s[i] !== ',' && s[i] !== ' ' && s[i] !== '\t') i++;
      value = s.slice(valueStart, i);
    }
    if (name === 'for') {
      forCount++;
      forValue = value;
    }
  }
  endElement();
  return out;
}
