import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { importOptionsOf, registerRecommenderImport } from '../../../electron/cli/commands/recommender-import.ts';
import { type CommandContext, EXIT } from '../../../electron/cli/main.ts';
import { errorJson, isUserError, printJson } from '../../../electron/cli/output.ts';
import { datasetProject, FIXTURES } from './external-helpers.ts';

/** `recx recommender import …` through a program wired like cli/main.ts (exit codes, --json errors). */
async function run(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: (s: string) => {
      stdout += s;
    },
    stderr: (s: string) => {
      stderr += s;
    },
  };
  const ctx: CommandContext = { io, json: false, verbose: false };
  const program = new Command('recx').exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  program.hook('preAction', (_p, action) => {
    ctx.json = Boolean(action.opts().json);
  });
  const rec = program.command('recommender');
  registerRecommenderImport(rec, ctx);
  const override = (c: Command) => {
    c.exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
    c.commands.forEach(override);
  };
  program.commands.forEach(override);
  let code: number = EXIT.ok;
  try {
    await program.parseAsync(['node', 'recx', 'recommender', 'import', ...args]);
  } catch (e) {
    if (e instanceof CommanderError) code = EXIT.usage;
    else {
      if (ctx.json) printJson(io, errorJson(e as Error));
      code = isUserError(e) ? EXIT.user : EXIT.internal;
      io.stderr(`error: ${(e as Error).message}\n`);
    }
  }
  return { code, stdout, stderr };
}

describe('recx recommender import', () => {
  it('imports each access level; --json prints one object', async () => {
    const project = await datasetProject();
    const lists = await run('--project', project, '--lists', path.join(FIXTURES, 'lists', 'recs.csv'), '--json');
    expect(lists.code).toBe(0);
    expect(lists.stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(lists.stdout)).toMatchObject({ kind: 'lists', numItems: 40, dim: null, project });
    const onnx = await run(
      '--project',
      project,
      '--onnx-manifest',
      path.join(FIXTURES, 'onnx', 'manifest.json'),
      '--force',
    );
    expect(onnx.code).toBe(0);
    expect(onnx.stdout).toMatch(/Imported an ONNX user encoder .*\n {2}40 items, dim 4/);
    const emb = await run(
      '--project',
      project,
      '--embeddings',
      path.join(FIXTURES, 'embeddings', 'items.npy'),
      '--user-embeddings',
      path.join(FIXTURES, 'embeddings', 'users.npy'),
      '--force',
    );
    expect(emb.code).toBe(0);
    expect(emb.stdout).toMatch(/precomputed embeddings/);
  });

  it('usage errors exit 2; user errors exit 1 and, with --json, print the typed error', async () => {
    const project = await datasetProject();
    expect((await run('--project', project)).code).toBe(2);
    const both = await run('--project', project, '--lists', 'a.csv', '--embeddings', 'b.npy');
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/exactly one of/);
    expect(importOptionsOf({ project, lists: 'x.csv', userEmbeddings: 'u.npy' })).toMatch(/go with --embeddings/);
    const first = await run('--project', project, '--lists', path.join(FIXTURES, 'lists', 'recs.csv'), '--json');
    expect(first.code).toBe(0);
    const again = await run('--project', project, '--lists', path.join(FIXTURES, 'lists', 'recs.csv'), '--json');
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stdout).error).toMatchObject({
      type: 'InputError',
      message: expect.stringMatching(/--force/),
    });
  });
});
