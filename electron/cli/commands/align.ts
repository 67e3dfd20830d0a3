/** `recx align train | eval | runs`. */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { parseTrainCounts, type TrainCounts } from '../../contracts/train-counts.ts';
import { faithfulnessTable, tooLongLine, userShuffleLine } from '../../engine/align/eval/alignment-report.ts';
import { evaluateRun } from '../../engine/align/eval-run.ts';
import { METHODS, type Method, TASK_IDS, type TaskId } from '../../engine/align/example.ts';
import { listRuns } from '../../engine/align/runs.ts';
import {
  DEFAULT_ALIGN_MAX_LEN,
  DEFAULT_ALIGN_STEPS_TEXT,
  DEFAULT_TRAINED_TABLE_MAX,
  trainAlignment,
} from '../../engine/align/train-align.ts';
import type { CommandContext } from '../main.ts';
import { intOption, listOption, positiveNumberOption, THREADS_HELP } from '../options.ts';
import { printJson } from '../output.ts';
import { createStageProgress } from '../progress.ts';
import { attachTrainingProgress } from '../training-progress.ts';

interface TrainFlags {
  project: string;
  method: Method;
  tasks?: TaskId[];
  steps?: number;
  batchSize?: number;
  accumulation?: number;
  lr?: number;
  seed?: number;
  threads?: number;
  resume?: string;
  evalEvery?: number;
  trainCounts?: TrainCounts;
  maxLen?: number;
  trainEmbeddings?: boolean;
}

/** `--train-counts 2=3000,3=8000`: training examples per task (contracts/train-counts.ts). */
export function trainCountsOption(value: string): TrainCounts {
  const r = parseTrainCounts(value);
  if ('error' in r) throw new InvalidArgumentError(r.error);
  return r.counts;
}

interface EvalFlags {
  project: string;
  run: string;
  maxTest?: number;
  explain?: number;
  freeRanking?: boolean;
  threads?: number;
}

function taskListOption(value: string): TaskId[] {
  return listOption(value).map((t) => {
    const n = Number(t);
    if (!TASK_IDS.includes(n as TaskId)) throw new InvalidArgumentError(`expected task numbers 1–7, got "${t}"`);
    return n as TaskId;
  });
}

export function registerAlignCommands(program: Command, ctx: CommandContext): void {
  const align = program.command('align').description('align the language model to the recommender and evaluate it');
  align
    .command('train')
    .description('train LoRA + projectors on tasks labelled by the recommender (method B, I or H)')
    .requiredOption('--project <dir>', 'project folder (dataset, recommender exports, language model)')
    .addOption(new Option('--method <m>', 'alignment method').choices([...METHODS]).makeOptionMandatory())
    .option('--tasks <list>', 'comma-separated task numbers (default: all of the method)', taskListOption)
    .option(
      '--train-counts <list>',
      'training examples per task, e.g. 2=3000,3=8000 (they set the task mix; default: docs/alignment.md)',
      trainCountsOption,
    )
    .option('--steps <n>', `optimizer steps (default: ${DEFAULT_ALIGN_STEPS_TEXT})`, intOption(1))
    .option('--batch-size <n>', 'examples per step', intOption(1))
    .option('--accumulation <n>', 'micro-batches per optimizer step (gradient accumulation)', intOption(1))
    .option('--lr <x>', 'peak learning rate', positiveNumberOption)
    .option(
      '--max-len <n>',
      `tokens per example at most; longer ones lose history titles, or are skipped (default: ${DEFAULT_ALIGN_MAX_LEN}, or the LM's context when shorter)`,
      intOption(16),
    )
    .option(
      '--train-embeddings',
      `train the token embedding table and the tied LM head too (default: when it has at most ${DEFAULT_TRAINED_TABLE_MAX / 1e6} M entries, as the tiny LM's)`,
    )
    .option('--no-train-embeddings', 'keep the token embedding table frozen')
    .option('--seed <s>', 'random seed (default: the project seed)', intOption(0))
    .option('--threads <n>', THREADS_HELP, intOption(1))
    .option('--eval-every <n>', 'held-out loss per task every n steps (default 50)', intOption(1))
    .option('--resume <run>', 'continue this run from its last checkpoint')
    .option('--json', 'print one JSON object on stdout')
    .action(async (f: TrainFlags) => {
      const abort = new AbortController();
      const onSigint = () => {
        ctx.io.stderr('\ninterrupted: saving a checkpoint (continue with --resume <run>)\n');
        abort.abort();
      };
      process.once('SIGINT', onSigint);
      let stop = () => {};
      try {
        const r = await trainAlignment({
          project: f.project,
          method: f.method,
          tasks: f.tasks,
          trainCounts: f.trainCounts,
          steps: f.steps,
          batchSize: f.batchSize,
          accumulation: f.accumulation,
          lr: f.lr,
          maxLen: f.maxLen,
          trainEmbeddings: f.trainEmbeddings,
          seed: f.seed,
          threads: f.threads,
          resumeRun: f.resume,
          evalEvery: f.evalEvery,
          signal: abort.signal,
          onWarning: (m) => ctx.io.stderr(`warning: ${m}\n`),
          onTrainer: (t, info) => {
            stop = attachTrainingProgress(t, `align ${f.method}`);
            if (!ctx.json) ctx.io.stderr(`run ${info.runId}\n`);
          },
        });
        stop();
        if (ctx.json) printJson(ctx.io, { run: r.runId, ...r });
        else
          ctx.io.stdout(
            `${r.completed ? 'Finished' : 'Stopped'} run ${r.runId} at step ${r.steps} (loss ${r.finalLoss.toFixed(3)})\n`,
          );
      } finally {
        stop();
        process.off('SIGINT', onSigint);
      }
    });
  align
    .command('eval')
    .description("the paper's metrics on the test anchors, with random, popularity and untrained-LM baselines")
    .requiredOption('--project <dir>', 'project folder')
    .requiredOption('--run <id>', 'run id (see recx align runs)')
    .option(
      '--max-test <n>',
      'evaluate at most n test examples of the generated tasks, an equal share each (task 3 is always whole)',
      intOption(1),
    )
    .option(
      '--explain <n>',
      'also generate n explanations (task 7 test examples) and score their faithfulness (DESIGN.md §7)',
      intOption(1),
    )
    .option(
      '--free-ranking',
      "task 2 by free decoding, as the paper (default: constrained to the candidates' orderings)",
    )
    .option('--threads <n>', THREADS_HELP, intOption(1))
    .option('--json', 'print one JSON object on stdout')
    .action(async (f: EvalFlags) => {
      const progress = createStageProgress();
      const r = await evaluateRun(f.project, f.run, {
        threads: f.threads,
        maxTest: f.maxTest,
        explain: f.explain,
        freeRanking: f.freeRanking,
        onProgress: (label, d, t) => progress.update(`eval ${label}`, d, t),
      });
      progress.stop();
      if (ctx.json) printJson(ctx.io, r.report);
      else {
        const notes = [userShuffleLine({ [r.report.method]: r.report }), tooLongLine(r.report)].filter((l) => l !== '');
        ctx.io.stdout(`${[r.table, ...notes].join('\n')}\n`);
        if (r.report.explanations)
          ctx.io.stdout(`\n${faithfulnessTable({ [r.report.method]: r.report.explanations })}\n`);
      }
    });
  align
    .command('runs')
    .description('list the alignment runs of the project')
    .requiredOption('--project <dir>', 'project folder')
    .option('--json', 'print one JSON object on stdout')
    .action(async (f: { project: string }) => {
      const runs = await listRuns(f.project);
      if (ctx.json) printJson(ctx.io, { runs });
      else {
        for (const r of runs) {
          const loss = r.finalLoss === null ? '-' : r.finalLoss.toFixed(3);
          ctx.io.stdout(
            `${r.id}  method ${r.method}  steps ${r.steps}  ${r.completed ? 'done' : 'unfinished'}  loss ${loss}${r.evaluated ? '  evaluated' : ''}\n`,
          );
        }
        if (runs.length === 0) ctx.io.stdout('no runs yet\n');
      }
    });
}
