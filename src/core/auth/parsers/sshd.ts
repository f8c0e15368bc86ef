/**
 * sshd logs (auth.log, secure, journald text output) → authentication attempts.
 *
 * Two entry points:
 * - `parseSshdLine(line, opts)`: one line on its own, pure. Lines whose meaning depends on the
 *   rest of their connection are read at face value: a pam_unix failure counts at once, a line
 *   without a peer address is skipped.
 * - `SshdParser`: the same, with the connection context sshd spreads over several lines (keyed by
 *   host and pid): the peer address from `Connection from …` for lines without one, held-back
 *   failures (see SshdFailure.hold) confirmed or forgotten by what follows, and `too many
 *   authentication failures` counted only when it is the sole record. Feed lines in log order.
 *
 * Modes (`mode`, default `aggressive`) choose which categories of failure count, as fail2ban's sshd
 * filter modes do: `normal` = auth; `ddos` = auth + ddos; `extra` = auth + extra; `aggressive` =
 * all three. Bulwark imports with `aggressive` by default: an operator looking at attempts wants
 * scanners and clients that give up mid-authentication too, and each attempt says which event it
 * came from (`event`, `failure_detail`) so a view can leave those out.
 *
 * `message repeated N times: [ msg ]` (rsyslog's folding of N more copies of a line) yields N
 * attempts; `expandRepeated: false` yields one, as fail2ban does.
 */
import {
  SKIP_IMPOSSIBLE_TIME,
  foreign,
  hostOf,
  skip,
  type LineParser,
  type LineResult,
  type ParsedAttempt,
} from './types.js';
import type { WallTimeOptions } from './log-time.js';
import { parseSyslogHeader } from './syslog.js';
import {
  classifySshdMessage,
  type SshdCategory,
  type SshdFailure,
  type SshdMessage,
} from './sshd-messages.js';

export type SshdMode = 'normal' | 'ddos' | 'extra' | 'aggressive';

export const SSHD_MODE_CATEGORIES: Readonly<Record<SshdMode, ReadonlySet<SshdCategory>>> = {
  normal: new Set(['auth']),
  ddos: new Set(['auth', 'ddos']),
  extra: new Set(['auth', 'extra']),
  aggressive: new Set(['auth', 'ddos', 'extra']),
};

export interface SshdOptions extends WallTimeOptions {
  /** Which failure categories count (default `aggressive`: all). */
  mode?: SshdMode | undefined;
  /** Expand `message repeated N times` into N attempts (default true). */
  expandRepeated?: boolean | undefined;
  /** Connections tracked at once by SshdParser (default 10,000); the least recently seen is dropped first. */
  maxConnections?: number | undefined;
}

const SSHD_PROGRAM = /^sshd(?:-session|-auth)?$/;
const REPEATED = /^message repeated (\d+) times: \[\s?(.*?)\s?\]\s*$/s;
const MAX_REPEAT = 10_000; // rsyslog never folds more than its repeat limit; a larger N is garbage

interface Unwrapped {
  time: number;
  connKey: string | null;
  message: string;
  repeat: number;
}

function unwrap(line: string, opts: SshdOptions): Unwrapped | LineResult {
  const header = parseSyslogHeader(line, opts);
  if (!header) return line.trim() === '' ? skip('empty line') : foreign('no syslog header');
  if (!SSHD_PROGRAM.test(header.program)) return foreign(`not sshd (${header.program})`);
  if (Number.isNaN(header.time)) return skip(SKIP_IMPOSSIBLE_TIME);
  let message = header.message;
  let repeat = 1;
  const r = REPEATED.exec(message);
  if (r) {
    repeat = Math.min(Number(r[1]), MAX_REPEAT);
    message = r[2]!;
    if (opts.expandRepeated === false) repeat = 1;
  }
  return {
    time: header.time,
    connKey: header.pid === null ? null : `${header.host ?? ''}/${header.pid}`,
    message,
    repeat,
  };
}

function toAttempt(f: SshdFailure, host: string, time: number): ParsedAttempt {
  const { source_ip, host_kind } = hostOf(host);
  return {
    timestamp: time,
    source_ip,
    host_kind,
    user: f.user ?? null,
    sender: null,
    result: 'failure',
    failure_reason: f.reason,
    failure_detail: f.detail,
    event: f.event,
  };
}

function successAttempt(host: string, user: string, time: number): ParsedAttempt {
  const { source_ip, host_kind } = hostOf(host);
  return {
    timestamp: time,
    source_ip,
    host_kind,
    user,
    sender: null,
    result: 'success',
    failure_reason: null,
    failure_detail: null,
    event: 'sshd.accepted',
  };
}

const times = <T>(n: number, make: () => T[]): T[] => {
  if (n === 1) return make();
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(...make());
  return out;
};

/** One sshd line on its own (see the module comment for what context-free reading means). */
export function parseSshdLine(line: string, opts: SshdOptions): LineResult {
  const u = unwrap(line, opts);
  if ('skip' in u || 'attempts' in u) return u;
  const categories = SSHD_MODE_CATEGORIES[opts.mode ?? 'aggressive'];
  const msg = classifySshdMessage(u.message);
  const f: SshdFailure | null = msg.kind === 'failure' ? msg : msg.kind === 'close' ? msg.self : null;
  if (msg.kind === 'success')
    return { attempts: times(u.repeat, () => [successAttempt(msg.host, msg.user, u.time)]) };
  if (!f)
    return skip(
      msg.kind === 'ignore'
        ? msg.reason
        : msg.kind === 'peer'
          ? 'connection bookkeeping'
          : 'connection ended',
    );
  if (!categories.has(f.category)) return skip(`${f.category} event, not counted in this mode`);
  if (f.host === null) return skip('no peer address on the line');
  return { attempts: times(u.repeat, () => [toAttempt(f, f.host!, u.time)]) };
}

interface Held {
  failure: SshdFailure;
  time: number;
  hold: 'pam' | 'publickey' | 'no_host';
}

interface Connection {
  host: string | null;
  held: Held[];
  /** Failures this connection has produced so far. */
  emitted: number;
  /** Users its failures named (for flagging a success that follows failures for someone else). */
  failedUsers: Set<string | null>;
}

/** sshd log parser with per-connection context. One instance per log stream; feed lines in order. */
export class SshdParser implements LineParser {
  private readonly opts: SshdOptions;
  private readonly categories: ReadonlySet<SshdCategory>;
  private readonly maxConnections: number;
  private readonly conns = new Map<string, Connection>();

  constructor(opts: SshdOptions = {}) {
    this.opts = opts;
    this.categories = SSHD_MODE_CATEGORIES[opts.mode ?? 'aggressive'];
    this.maxConnections = opts.maxConnections ?? 10_000;
  }

  /** Connections currently tracked (bounded by maxConnections). */
  get trackedConnections(): number {
    return this.conns.size;
  }

  parseLine(line: string): LineResult {
    const u = unwrap(line, this.opts);
    if ('skip' in u || 'attempts' in u) return u;
    const msg = classifySshdMessage(u.message);
    if (msg.kind === 'ignore') return skip(msg.reason);
    const out: ParsedAttempt[] = [];
    for (let i = 0; i < u.repeat; i++) this.apply(msg, u, out);
    if (out.length > 0) return { attempts: out };
    return skip(
      msg.kind === 'peer'
        ? 'connection bookkeeping'
        : msg.kind === 'close'
          ? 'connection ended without a new failure'
          : 'held until the connection shows how it ends',
    );
  }

  private connection(key: string | null, fresh: boolean): Connection {
    const blank = (): Connection => ({ host: null, held: [], emitted: 0, failedUsers: new Set() });
    if (key === null) return blank();
    let c = this.conns.get(key);
    if (c && !fresh) {
      this.conns.delete(key); // re-insert: Map order is recency order for eviction
    } else {
      c = blank();
    }
    this.conns.set(key, c);
    if (this.conns.size > this.maxConnections) this.conns.delete(this.conns.keys().next().value!);
    return c;
  }

  private emit(
    c: Connection,
    f: SshdFailure,
    host: string,
    time: number,
    out: ParsedAttempt[],
    resolvedAt?: number,
  ): void {
    const a = toAttempt(f, host, time);
    if (resolvedAt !== undefined && resolvedAt !== time) a.resolved_at = resolvedAt;
    out.push(a);
    c.emitted++;
    c.failedUsers.add(f.user ?? null);
  }

  /** Confirms every held failure (those without a host take `host`), in the order they happened. */
  private release(
    c: Connection,
    host: string | null,
    now: number,
    out: ParsedAttempt[],
    only?: (h: Held) => boolean,
  ): number {
    let n = 0;
    const keep: Held[] = [];
    for (const h of c.held) {
      const at = h.failure.host ?? host ?? c.host;
      if ((only && !only(h)) || at === null) {
        keep.push(h);
        continue;
      }
      this.emit(c, h.failure, at, h.time, out, now);
      n++;
    }
    c.held = keep;
    return n;
  }

  private learnHost(c: Connection, host: string | null, now: number, out: ParsedAttempt[]): void {
    if (host === null) return;
    c.host = host;
    if (c.held.some((h) => h.hold === 'no_host'))
      this.release(c, host, now, out, (h) => h.hold === 'no_host');
  }

  private apply(msg: SshdMessage, u: Unwrapped, out: ParsedAttempt[]): void {
    const now = u.time;
    switch (msg.kind) {
      case 'peer': {
        const c = this.connection(u.connKey, msg.fresh);
        this.learnHost(c, msg.host, now, out);
        return;
      }
      case 'success': {
        const c = this.connection(u.connKey, false);
        this.learnHost(c, msg.host, now, out);
        // Held failures of the user who got in were a first method failing; those of others stand.
        c.held = c.held.filter((h) => h.failure.user !== msg.user);
        this.release(c, msg.host, now, out);
        const a = successAttempt(msg.host, msg.user, now);
        for (const u2 of c.failedUsers) {
          if (u2 !== null && u2 !== msg.user) {
            a.suspicious = 'success_after_other_user_failures';
            break;
          }
        }
        out.push(a);
        return;
      }
      case 'close': {
        const c = this.connection(u.connKey, false);
        const released = this.release(c, msg.host, now, out);
        if (released === 0 && msg.self && this.categories.has(msg.self.category) && msg.host !== null)
          this.emit(c, msg.self, msg.host, now, out);
        if (u.connKey !== null) this.conns.delete(u.connKey);
        return;
      }
      case 'failure': {
        if (!this.categories.has(msg.category)) return;
        const c = this.connection(u.connKey, false);
        this.learnHost(c, msg.host, now, out);
        const host = msg.host ?? c.host;
        switch (msg.hold) {
          case 'pam': {
            // A try for another user confirms what is held: the client is cycling through names.
            if (c.held.some((h) => h.hold === 'pam' && h.failure.user !== msg.user)) {
              this.release(c, host, now, out);
              if (host !== null) this.emit(c, msg, host, now, out);
              else c.held.push({ failure: msg, time: now, hold: 'no_host' });
            } else {
              c.held.push({ failure: msg, time: now, hold: 'pam' });
            }
            return;
          }
          case 'publickey':
            c.held.push({ failure: msg, time: now, hold: 'publickey' });
            return;
          case 'summary':
            if (c.emitted > 0) return; // the tries were already counted one by one
            this.release(c, host, now, out);
            break;
          case 'immediate': {
            // sshd's own line for a try PAM already reported replaces PAM's report.
            const i = c.held.findIndex(
              (h) => h.hold === 'pam' && (h.failure.user === null || h.failure.user === msg.user),
            );
            if (i >= 0) c.held.splice(i, 1);
            break;
          }
        }
        if (host !== null) this.emit(c, msg, host, now, out);
        else c.held.push({ failure: msg, time: now, hold: 'no_host' });
        return;
      }
    }
  }
}
