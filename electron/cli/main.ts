/**
 * `recx`: the command line over the engine. Exit codes: 0 success, 1 user error (bad input,
 * refused overwrite), 2 usage error (unknown command/option, bad option value), 3 internal error.
 */
import { Command, CommanderError } from 'commander';
import { registerAlignCommands } from './commands/align.ts';
import { registerDataCommands } from './commands/data.ts';
import { registerDemoCommand } from './commands/demo.ts';
import { registerLlmCommands } from './commands/llm.ts';
import { registerRecommenderCommands } from './commands/recommender.ts';
import { errorJson, type Io, isUserError, printJson, processIo } from './output.ts';

export const EXIT = { ok: 0, user: 1, usage: 2, internal: 3 } as const;

export interface CommandContext {
  io: Io;
  /** Set by a command so that errors are also printed as JSON on stdout. */
  json: boolean;
  verbose: boolean;
}

export function buildProgram(ctx: CommandContext): Command {
  const program = new Command('recx')
    .description('RecExplainer Workbench: explain a recommender by aligning a language model to it')
    .option('--verbose', 'print stack traces of errors')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: ctx.io.stdout, writeErr: ctx.io.stderr })
    .exitOverride();
  program.hook('preAction', (_this, action) => {
    ctx.verbose = Boolean(program.opts().verbose);
    ctx.json = Boolean(action.opts().json);
  });
  registerDataCommands(program, ctx);
  registerRecommenderCommands(program, ctx);
  registerLlmCommands(program, ctx);
  registerAlignCommands(program, ctx);
  registerDemoCommand(program, ctx);
  // Every sub-command reports usage errors through the same override (exit code 2).
  const override = (cmd: Command) => {
    cmd.exitOverride().configureOutput({ writeOut: ctx.io.stdout, writeErr: ctx.io.stderr });
    cmd.commands.forEach(override);
  };
  program.commands.forEach(override);
  return program;
}

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const ctx: CommandContext = { io, json: false, verbose: argv.includes('--verbose') };
  const program = buildProgram(ctx);
  try {
    if (argv.length <= 2) {
      program.outputHelp();
      return EXIT.usage;
    }
    await program.parseAsync(argv);
    return EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      const ok = e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help';
      return ok ? EXIT.ok : EXIT.usage;
    }
    const err = e instanceof Error ? e : new Error(String(e));
    if (ctx.json) printJson(io, errorJson(err));
    if (isUserError(err)) {
      io.stderr(`error: ${err.message}\n`);
      if (ctx.verbose && err.stack) io.stderr(`${err.stack}\n`);
      return EXIT.user;
    }
    io.stderr(`internal error: ${err.stack ?? err.message}\n`);
    return EXIT.internal;
  }
}
