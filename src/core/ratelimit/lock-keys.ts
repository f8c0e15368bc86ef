/**
 * Lock keys as an administrator names them: `ip:<address or ip key>`, `user:<name>` and
 * `user_ip:<address or ip key>|<name>`, read into the key the lock is held under. One reading for
 * every way to lift a lock (DELETE /auth/lockouts/:key, `bulwark auth unlock`, a library host's
 * `limiter.unlock`), so "unlock the address I see" lifts the lock that holds it: an address maps
 * to its ip key as the decision maps it (an IPv6 address to its /64, `::ffff:192.0.2.1` to
 * 192.0.2.1). Before, a library host had only `store.unlock(lockStoreKey('ip', address))`, which
 * did nothing for an IPv6 address (the lock is on its /64).
 */
import { isAttemptText, ATTEMPT_LIMITS } from '../auth/attempt.js';
import { validationError } from '../errors.js';
import { parseCidr } from '../net/cidr.js';
import { ipKeyUnchecked, parseIp } from '../net/ip.js';
import { type LockName, lockStoreKey } from './decide.js';
import type { CompiledRateLimitPolicy } from './policy.js';

export const LOCK_KEY_RULE = 'must be ip:<ip key>, user:<user> or user_ip:<ip key>|<user>';
const IP_PART_RULE =
  'the IP part must be an IP address or an ip key at the policy prefix (e.g. 192.0.2.1 or 2001:db8::/64)';
const USER_PART_RULE = `the user part must be a user_id as an attempt takes it (not blank, one line, at most ${ATTEMPT_LIMITS.user_id} characters)`;

export interface LockKey {
  name: LockName;
  /** What the lock is held on: the ip key, the user, or `<ip key>|<user>`. */
  subject: string;
  /** `name:subject`, as lockouts are listed. */
  key: string;
  /** The key in the limiter store. */
  storeKey: string;
}

/** The key attempts from `ip` are limited and locked under (a host name is its own key). */
export function ipKeyAtPolicy(policy: CompiledRateLimitPolicy, ip: string): string {
  const p = policy.policy;
  return ipKeyUnchecked(ip, p.ipv6Prefix, p.ipv4Prefix) ?? ip;
}

/** Reads an administrator's lock key; validation_failed naming `key` when it is not one. */
export function parseLockKey(policy: CompiledRateLimitPolicy, key: string): LockKey {
  const m = typeof key === 'string' ? /^(ip|user|user_ip):(.+)$/s.exec(key) : null;
  if (!m || m[2]!.length > 700) throw validationError('key', LOCK_KEY_RULE);
  const name = m[1] as LockName;
  let subject = m[2]!;
  if (name === 'ip') subject = ipPart(policy, subject);
  else if (name === 'user') subject = userPart(subject);
  else {
    const bar = subject.indexOf('|');
    if (bar <= 0 || bar === subject.length - 1)
      throw validationError('key', 'must be user_ip:<ip key>|<user>');
    subject = `${ipPart(policy, subject.slice(0, bar))}|${userPart(subject.slice(bar + 1))}`;
  }
  return { name, subject, key: `${name}:${subject}`, storeKey: lockStoreKey(name, subject) };
}

/** An address → its ip key; an ip key at the policy's prefix as it is; anything else refused. */
function ipPart(policy: CompiledRateLimitPolicy, part: string): string {
  const ip = parseIp(part);
  if (ip !== null) return ipKeyAtPolicy(policy, ip);
  const range = part.includes('/') ? parseCidr(part) : null;
  if (range === null) throw validationError('key', IP_PART_RULE);
  const k = ipKeyAtPolicy(policy, range.network);
  const full = range.prefix === (range.version === 4 && !range.network.includes(':') ? 32 : 128);
  if (k !== range.text && !full) throw validationError('key', IP_PART_RULE);
  return k;
}

/**
 * A user part, held to the rules a recorded attempt's user_id is: no lock can be held under a
 * blank or control-character name, and such a key would only write an audit entry for nothing.
 */
function userPart(part: string): string {
  if (!isAttemptText(part, ATTEMPT_LIMITS.user_id)) throw validationError('key', USER_PART_RULE);
  return part;
}
