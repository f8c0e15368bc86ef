/**
 * Streaming over a log: lines in (from any iterable or async iterable, e.g. a readline
 * interface over a file), attempts out, one at a time, so memory stays flat however long the log.
 * The only state kept is the parser's own (SshdParser bounds its connection table).
 */
import { parseDovecotLine } from './dovecot.js';
import { parseJsonlLine, type JsonlOptions } from './jsonl.js';
import type { WallTimeOptions } from './log-time.js';
import { parseNginxLine, type NginxOptions } from './nginx.js';
import { SshdParser, type SshdOptions } from './sshd.js';
import type { LineParser, LineResult, ParsedAttempt } from './types.js';
import { validatingParser } from './validate.js';
import { validationError } from '../../errors.js';
import { isTimeZone } from './log-time.js';

/** What `tz` must be (the message of the validation error when it is not). */
export const TZ_RULE = 'must be UTC, an offset like +02:00, or an IANA time zone name (e.g. Europe/Berlin)';

export type LogFormat = 'sshd' | 'nginx' | 'jsonl' | 'dovecot';

export type LogParserOptions =
  | ({ format: 'sshd' } & SshdOptions)
  | ({ format: 'nginx' } & NginxOptions)
  | ({ format: 'jsonl' } & JsonlOptions)
  | ({ format: 'dovecot' } & WallTimeOptions);

/**
 * A parser for one log stream in `format` (stateful for sshd: use one per stream). With `now` (the
 * server's clock), attempt times are held to the API's event-time rule too, and a syslog stamp's
 * year, when no `year` is given, is inferred from that clock (the latest year that does not put the
 * line more than a day ahead): a December log read in January is last December's, not skipped as
 * "in the future" under the calendar year of the machine.
 */
export function createLineParser(options: LogParserOptions, now?: () => number): LineParser {
  if (options.tz !== undefined && !isTimeZone(options.tz)) throw validationError('tz', TZ_RULE);
  const syslog = options.format === 'sshd' || options.format === 'dovecot';
  const opts: LogParserOptions =
    now !== undefined && syslog && options.year === undefined && options.now === undefined
      ? { ...options, now: now() }
      : options;
  // Every format's attempts pass the same checks (validate.ts); only sshd logs host names.
  return validatingParser(rawLineParser(opts), { hostnames: options.format === 'sshd', now });
}

/** The format's parser alone, without the shared checks. */
function rawLineParser(options: LogParserOptions): LineParser {
  switch (options.format) {
    case 'sshd':
      return new SshdParser(options);
    case 'nginx':
      return { parseLine: (line: string): LineResult => parseNginxLine(line, options) };
    case 'jsonl':
      return { parseLine: (line: string): LineResult => parseJsonlLine(line, options) };
    case 'dovecot':
      return { parseLine: (line: string): LineResult => parseDovecotLine(line, options) };
  }
}

export interface StreamStats {
  lines: number;
  /** Lines of the format (not empty, not `foreign`): 0 of several lines means the wrong format. */
  recognised: number;
  attempts: number;
  /** Skipped lines by reason. */
  skipped: Map<string, number>;
}

export interface StreamOptions {
  /** Called for each line that yielded nothing (line numbers start at 1). */
  onSkip?: ((reason: string, lineNo: number, line: string) => void) | undefined;
  /** Filled in as the stream is read. */
  stats?: StreamStats | undefined;
}

export const newStreamStats = (): StreamStats => ({
  lines: 0,
  recognised: 0,
  attempts: 0,
  skipped: new Map(),
});

/**
 * The longest line read (the API's default body limit: a JSON-lines body imports as it is). A
 * longer one is no line of any format: skipped, as not of the format (`line too long`), unparsed.
 */
export const MAX_LOG_LINE_CHARS = 262_144;
export const SKIP_LINE_TOO_LONG = `line too long (over ${MAX_LOG_LINE_CHARS} characters)`;

/**
 * Parses lines as they arrive, yielding attempts in log order. A trailing `\r` is dropped, and a
 * UTF-8 byte order mark before the first line (Windows editors, PowerShell's `Out-File`).
 */
export async function* parseLogStream(
  lines: AsyncIterable<string> | Iterable<string>,
  parser: LineParser,
  opts: StreamOptions = {},
): AsyncGenerator<ParsedAttempt, void, undefined> {
  let lineNo = 0;
  const stats = opts.stats;
  for await (const raw of lines) {
    lineNo++;
    let line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (lineNo === 1 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
    const r: LineResult =
      line.length > MAX_LOG_LINE_CHARS ? { skip: SKIP_LINE_TOO_LONG, foreign: true } : parser.parseLine(line);
    if (stats) {
      stats.lines++;
      if (!('foreign' in r) && line.trim() !== '') stats.recognised++;
    }
    if ('skip' in r) {
      if (stats) stats.skipped.set(r.skip, (stats.skipped.get(r.skip) ?? 0) + 1);
      opts.onSkip?.(r.skip, lineNo, line);
      continue;
    }
    if (stats) stats.attempts += r.attempts.length;
    yield* r.attempts;
  }
}

/** parseLogStream specialised to sshd, the common case. */
export function parseSshdStream(
  lines: AsyncIterable<string> | Iterable<string>,
  opts: SshdOptions = {},
  stream: StreamOptions = {},
): AsyncGenerator<ParsedAttempt, void, undefined> {
  return parseLogStream(lines, validatingParser(new SshdParser(opts), { hostnames: true }), stream);
}

/** Log sources an imported attempt's event starts with (`<source>` or `<source>.<event>`). */
export const EVENT_SOURCES = ['sshd', 'nginx', 'dovecot', 'jsonl'] as const;
const EVENT_FILTER = /^(sshd|nginx|dovecot)(\.[a-z0-9_]+)?$|^jsonl$/;

/** What an event filter must look like (the validation message when it does not). */
export const EVENT_RULE =
  'must be a log source (sshd, nginx, dovecot, jsonl) or one of its events as <source>.<event>, e.g. sshd.failed_password';

/** Whether `s` can select imported attempts by event (a source, or a source's event name). */
export const isEventFilter = (s: string): boolean => EVENT_FILTER.test(s);
