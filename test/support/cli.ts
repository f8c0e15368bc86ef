/** The `bulwark` CLI run in-process against one database, with its output captured. */
import { main } from '../../src/cli/main.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  /** How the captured writes are joined (default ''). */
  separator?: string;
  /** End every write with a newline first (line-oriented assertions over several writes). */
  terminate?: boolean;
}

export async function runCli(db: string, args: string[], opts: CliRunOptions = {}): Promise<CliResult> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const keep = (t: string) => (opts.terminate && !t.endsWith('\n') ? t + '\n' : t);
  const code = await main(['node', 'bulwark', '--db', db, ...args], {
    stdout: (t) => stdout.push(keep(t)),
    stderr: (t) => stderr.push(keep(t)),
  });
  const sep = opts.separator ?? '';
  return { code, stdout: stdout.join(sep), stderr: stderr.join(sep) };
}
