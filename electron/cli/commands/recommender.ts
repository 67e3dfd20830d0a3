/** `recx recommender train | eval | export | import`. */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type Command, Option } from 'commander';
import type { EvaluationReport, RankingMetrics } from '../../contracts/recommender.ts';
import { evaluateProject } from '../../engine/recommender/evaluate-project.ts';
import { exportProject } from '../../engine/recommender/export-project.ts';
import { PRESETS, type TrainSettings } from '../../engine/recommender/presets.ts';
import { recommenderDir } from '../../engine/recommender/store.ts';
import { trainRecommender } from '../../engine/recommender/train-recommender.ts';
import type { CommandContext } from '../main.ts';
import { intOption, positiveNumberOption, THREADS_HELP } from '../options.ts';
import { type Io, printJson } from '../output.ts';
import { createStageProgress } from '../progress.ts';
import { attachTrainingProgress } from '../training-progress.ts';
import { registerRecommenderImport } from './recommender-import.ts';

interface TrainFlags {
  project: string;
  model: 'sasrec' | 'mf';
  preset?: string;
  epochs?: number;
  seed?: number;
  batchSize?: number;
  lr?: number;
  hidden?: number;
  maxLen?: number;
  threads?: number;
  resume?: boolean;
  json?: boolean;
}

function metricsLine(m: RankingMetrics): string {
  return ['HR@5', 'NDCG@5', 'HR@10', 'NDCG@10', 'HR@20', 'NDCG@20']
    .filter((k) => k in m)
    .map((k) => `${k} ${m[k].toFixed(4)}`)
    .join('  ');
}

export function printEvaluation(io: Io, r: EvaluationReport): void {
  io.stdout(
    [
      `Evaluation on the ${r.split} split (${r.users} users, leave-one-out)`,
      `  model       full: ${metricsLine(r.full)}`,
      `              sampled-100: ${metricsLine(r.sampled100)}`,
      `  popularity  full: ${metricsLine(r.baselines.popularity.full)}`,
      `  random      full: ${metricsLine(r.baselines.random.full)}`,
      '',
    ].join('\n'),
  );
}

export function registerRecommenderCommands(program: Command, ctx: CommandContext): void {
  const rec = program.command('recommender').description('train, evaluate, import and export the target recommender');
  rec
    .command('train')
    .description('train SASRec or MF on the project dataset (early stopping on validation NDCG@10)')
    .requiredOption('--project <dir>', 'project folder')
    .addOption(new Option('--model <model>', 'model').choices(['sasrec', 'mf']).default('sasrec'))
    .addOption(new Option('--preset <name>', 'hyper-parameter preset').choices(Object.keys(PRESETS)))
    .option('--epochs <n>', 'maximum epochs', intOption(1))
    .option('--seed <s>', 'random seed', intOption(0))
    .option('--batch-size <n>', 'batch size', intOption(1))
    .option('--lr <x>', 'learning rate', positiveNumberOption)
    .option('--hidden <n>', 'embedding width', intOption(1))
    .option('--max-len <n>', 'SASRec history length', intOption(1))
    .option('--threads <n>', THREADS_HELP, intOption(1))
    .option('--resume', 'continue an interrupted run from its checkpoint')
    .option('--json', 'print one JSON object on stdout')
    .action(async (f: TrainFlags) => {
      const abort = new AbortController();
      const onSigint = () => {
        ctx.io.stderr('\ninterrupted: saving a checkpoint (run again with --resume to continue)\n');
        abort.abort();
      };
      process.once('SIGINT', onSigint);
      let stop = () => {};
      try {
        const overrides: Partial<TrainSettings> = {
          maxEpochs: f.epochs,
          seed: f.seed,
          batchSize: f.batchSize,
          lr: f.lr,
          hidden: f.hidden,
          maxLen: f.maxLen,
          threads: f.threads,
        };
        const r = await trainRecommender({
          project: f.project,
          model: f.model,
          preset: f.preset,
          overrides,
          resume: f.resume,
          signal: abort.signal,
          onTrainer: (trainer) => {
            stop = attachTrainingProgress(trainer, f.model);
          },
        });
        stop();
        const out = {
          completed: r.completed,
          epochs: r.epochs,
          bestEpoch: r.bestEpoch,
          stoppedEarly: r.stoppedEarly,
          validation: r.validation,
          settings: r.settings,
        };
        if (ctx.json) printJson(ctx.io, out);
        else if (!r.completed) ctx.io.stdout(`Stopped at epoch ${r.epochs}; checkpoint saved. Resume with --resume.\n`);
        else {
          ctx.io.stdout(
            `Trained ${f.model} for ${r.epochs} epochs (best epoch ${r.bestEpoch}${r.stoppedEarly ? ', stopped early' : ''})\n` +
              `  validation: ${metricsLine(r.validation)}\n`,
          );
        }
      } finally {
        stop();
        process.off('SIGINT', onSigint);
      }
    });
  rec
    .command('eval')
    .description('evaluate on the test split: full ranking and 100 sampled negatives, with baselines')
    .requiredOption('--project <dir>', 'project folder')
    .addOption(new Option('--split <split>', 'split').choices(['test', 'validation']).default('test'))
    .option('--json', 'print one JSON object on stdout')
    .action(async (f: { project: string; split: 'test' | 'validation' }) => {
      const progress = createStageProgress();
      const report = await evaluateProject(f.project, f.split, (d, t) => progress.update('evaluating', d, t));
      progress.stop();
      await writeFile(path.join(recommenderDir(f.project), 'eval.json'), `${JSON.stringify(report, null, 2)}\n`);
      if (ctx.json) printJson(ctx.io, report);
      else printEvaluation(ctx.io, report);
    });
  rec
    .command('export')
    .description('export the alignment labels (top-1, candidates, pos/neg, similar items) for every anchor')
    .requiredOption('--project <dir>', 'project folder')
    .option('--seed <s>', 'random seed', intOption(0))
    .option('--max-anchors <n>', 'anchors per user at most (seeded; the test anchor is always kept)', intOption(1))
    .option('--threads <n>', THREADS_HELP, intOption(1))
    .option('--json', 'print one JSON object on stdout')
    .action(async (f: { project: string; seed?: number; maxAnchors?: number; threads?: number }) => {
      const progress = createStageProgress();
      const opts = { seed: f.seed, maxAnchorsPerUser: f.maxAnchors, threads: f.threads };
      const summary = await exportProject(f.project, opts, (d, t) => progress.update('exporting', d, t));
      progress.stop();
      if (ctx.json) printJson(ctx.io, summary);
      else
        ctx.io.stdout(
          `Exported alignment labels to ${path.join(recommenderDir(f.project), 'exports')}\n${JSON.stringify(summary, null, 2)}\n`,
        );
    });
  registerRecommenderImport(rec, ctx);
}
