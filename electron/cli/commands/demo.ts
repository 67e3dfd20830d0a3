/** `recx demo`: the built-in demo project, end to end as far as the product goes today. */
import type { Command } from 'commander';
import { inspectDataset } from '../../engine/data/inspect-dataset.ts';
import type { CommandContext } from '../main.ts';
import { intOption } from '../options.ts';
import { printJson } from '../output.ts';
import { printInspection, runImport } from './data.ts';

export function registerDemoCommand(program: Command, ctx: CommandContext): void {
  program
    .command('demo')
    .description('create the demo project: generate the synthetic dataset, preprocess, split, summarise')
    .option('--project <dir>', 'project folder', 'demo-project')
    .option('--users <n>', 'number of users', intOption(10), 1000)
    .option('--items <n>', 'number of items', intOption(20), 500)
    .option('--seed <s>', 'random seed', intOption(0), 42)
    .option('--json', 'print one JSON object on stdout')
    .action(async (flags: { project: string; users: number; items: number; seed: number; json?: boolean }) => {
      // The demo is disposable: re-running it replaces the previous demo dataset.
      const f = flags;
      await runImport(
        {
          format: 'synthetic',
          project: f.project,
          users: f.users,
          items: f.items,
          seed: f.seed,
          kCore: 5,
          force: true,
        },
        ctx.io,
      );
      const r = await inspectDataset(flags.project);
      if (ctx.json) printJson(ctx.io, r);
      else printInspection(ctx.io, r);
    });
}
