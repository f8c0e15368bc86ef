/**
 * The `bulwark` command. Exit codes a CI pipeline can gate on:
 *   0 ok · 1 findings at or over a threshold · 2 usage or validation error · 3 runtime/store error.
 */
import { Command, CommanderError } from 'commander';
import { BulwarkError } from '../core/errors.js';
import { type Out, processOut } from './output.js';
import { registerServe } from './commands/serve.js';
import { registerMigrate } from './commands/migrate.js';
import { registerTokens } from './commands/tokens.js';
import { registerVulns } from './commands/vulns.js';
import { registerPosture } from './commands/posture.js';
import { registerAudit } from './commands/audit.js';
import { registerKeys } from './commands/keys.js';
import { registerAuth } from './commands/auth.js';
import { registerScan } from './commands/scan.js';
import { registerAdvisories } from './commands/advisories.js';
import { registerApprovals } from './commands/approvals.js';

export type CommandRegistrar = (program: Command, out: Out, setExit: (code: number) => void) => void;

const REGISTRARS: CommandRegistrar[] = [
  registerServe,
  registerMigrate,
  registerTokens,
  registerVulns,
  registerPosture,
  registerAudit,
  registerKeys,
  registerAuth,
  registerScan,
  registerAdvisories,
  registerApprovals,
];

export function buildProgram(out: Out, setExit: (code: number) => void): Command {
  const program = new Command('bulwark')
    .description('Security-hardening service for API back ends: OWASP A01–A10 controls and their evidence.')
    .option(
      '--db <url>',
      'database URL (sqlite:PATH, sqlite::memory:, postgres://…); default $BULWARK_DATABASE_URL or sqlite:./bulwark.db',
    )
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => out.stdout(s), writeErr: (s) => out.stderr(s) });
  for (const register of REGISTRARS) register(program, out, setExit);
  // No action on the program or on a command group: commander then answers a word that is not a
  // subcommand with "unknown command" (an action would take it as an excess argument), and a
  // group named alone with its help on stderr, which main() turns into exit 2.
  // Subcommands inherit the usage-error behaviour.
  for (const cmd of program.commands) applyRecursively(cmd, out);
  return program;
}

function applyRecursively(cmd: Command, out: Out): void {
  cmd
    .exitOverride()
    .showHelpAfterError()
    .configureOutput({ writeOut: (s) => out.stdout(s), writeErr: (s) => out.stderr(s) });
  for (const sub of cmd.commands) applyRecursively(sub, out);
}

/** Runs the CLI; resolves to the process exit code. `argv` is process.argv-shaped. */
export async function main(argv: string[], out: Out = processOut): Promise<number> {
  let exitCode = 0;
  const program = buildProgram(out, (code) => {
    exitCode = Math.max(exitCode, code);
  });
  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return 0;
      // `commander.help` with a non-zero exit code: a group (or `bulwark`) named without a
      // subcommand, its help already on stderr. `bulwark help` and `--help` exit 0.
      if (err.code === 'commander.help') return err.exitCode === 0 ? 0 : 2;
      return 2;
    }
    if (err instanceof BulwarkError) {
      out.stderr(`bulwark: ${err.code}: ${err.message}`);
      return err.exitCode;
    }
    out.stderr(`bulwark: internal: ${err instanceof Error ? err.message : String(err)}`);
    return 3;
  }
}
