/**
 * Reads fail2ban's annotated sample logs (shared/data/authlogs/fail2ban/logs, GPL: read here,
 * never copied into the repository).
 *
 * Format: `# failJSON: {...}` annotates the next log line (`match`, `host`, `time`, sometimes
 * `user`, `users`, `attempts`, `constraint`, `desc`). `# filterOptions: X` starts a block run only
 * with the option sets in X (a list, or one object); `{}` and sets without `mode` are the default
 * mode `normal`. Other `#` lines and blank lines are comments.
 */
import { readFileSync } from 'node:fs';

export interface FailJson {
  match: boolean;
  host?: string;
  time?: string;
  user?: string;
  users?: string[];
  attempts?: number;
  constraint?: string;
  desc?: string;
}

export interface SampleLine {
  lineNo: number;
  line: string;
  expect: FailJson;
  /** Modes of the block the line is in (`normal` stands for the default). */
  modes: string[];
  /** Log type the block sets (`rfc5424`, `journal`), if any. */
  logtype?: string;
}

interface FilterOptions {
  mode?: string;
  logtype?: string;
}

export function readFail2banSamples(file: string): SampleLine[] {
  const text = readFileSync(file, 'utf8');
  const out: SampleLine[] = [];
  let modes = ['normal'];
  let logtype: string | undefined;
  let pending: FailJson | null = null;
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    const opt = /^# filterOptions: (.*)$/.exec(line);
    if (opt) {
      const parsed = JSON.parse(opt[1]!) as FilterOptions | FilterOptions[];
      const list = Array.isArray(parsed) ? parsed : [parsed];
      modes = list.map((o) => o.mode ?? 'normal');
      logtype = list.find((o) => o.logtype)?.logtype;
      return;
    }
    const fj = /^# failJSON: (.*)$/.exec(line);
    if (fj) {
      pending = JSON.parse(fj[1]!) as FailJson;
      return;
    }
    if (line.startsWith('#') || line.trim() === '') return;
    if (!pending) throw new Error(`${file}:${i + 1}: log line without a failJSON annotation`);
    out.push({ lineNo: i + 1, line, expect: pending, modes: [...modes], ...(logtype ? { logtype } : {}) });
    pending = null;
  });
  return out;
}

/**
 * Evaluates the three constraint forms the sample files use, for the sshd filter in `mode`.
 * Throws on anything else, so a new form in the data fails loudly instead of being guessed at.
 */
export function constraintHolds(constraint: string | undefined, mode: string): boolean {
  if (constraint === undefined) return true;
  const c = constraint.trim();
  if (c === "name == 'sshd'") return true;
  const m = /^opts\.get\('mode'\) (==|!=) '(\w+)'$/.exec(c);
  if (m) return m[1] === '==' ? mode === m[2] : mode !== m[2];
  throw new Error(`unknown failJSON constraint: ${constraint}`);
}

/** `2005-06-21T16:47:48` read as wall time in Europe/Zurich (the zone fail2ban's tests run in). */
export function zurichTime(iso: string): number {
  const probe = Date.parse(`${iso}Z`);
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone: 'Europe/Zurich',
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  const offsetAt = (t: number): number => {
    const p = Object.fromEntries(fmt.formatToParts(new Date(t)).map((x) => [x.type, x.value]));
    return Date.UTC(+p.year!, +p.month! - 1, +p.day!, +p.hour!, +p.minute!, +p.second!) - t;
  };
  return probe - offsetAt(probe - offsetAt(probe));
}

/** fail2ban's tests pin "now" to 2005-08-14 10:00 UTC: syslog stamps later in the year belong to 2004. */
export const FAIL2BAN_NOW = Date.UTC(2005, 7, 14, 10, 0, 0);
