/**
 * `recx demo`: the built-in demo project end to end: generate the synthetic dataset, preprocess and
 * split it, train SASRec (early stopping on validation NDCG@10), evaluate it against the popularity
 * and random baselines, build the tiny LM from the project corpus, export the alignment labels, then
 * align B, I and H (side by side in child processes where there are cores: demo-align.ts), print the
 * paper's table, the explanation scores and three explanations.
 */
import type { Command } from 'commander';
import {
  type AlignmentReport,
  alignmentTable,
  faithfulnessTable,
  tooLongLine,
  userShuffleLine,
} from '../../engine/align/eval/alignment-report.ts';
import type { AlignmentMetrics } from '../../engine/align/eval/evaluate-alignment.ts';
import { type Explanation, SAMPLE_EXPLANATIONS } from '../../engine/align/eval-run.ts';
import { METHODS } from '../../engine/align/example.ts';
import { DEFAULT_ALIGN_STEPS_TEXT } from '../../engine/align/train-align.ts';
import { inspectDataset } from '../../engine/data/inspect-dataset.ts';
import type { ExplanationSummary } from '../../engine/explain/explanation-scores.ts';
import { generateText } from '../../engine/llm/project-llm.ts';
import { createTinyLm } from '../../engine/llm/tiny-lm.ts';
import { evaluateProject } from '../../engine/recommender/evaluate-project.ts';
import { exportProject } from '../../engine/recommender/export-project.ts';
import { trainRecommender } from '../../engine/recommender/train-recommender.ts';
import type { CommandContext } from '../main.ts';
import { intOption } from '../options.ts';
import { printJson } from '../output.ts';
import { createStageProgress } from '../progress.ts';
import { attachTrainingProgress } from '../training-progress.ts';
import { printInspection, runImport } from './data.ts';
import { type AlignJob, alignLanes, runAlignJob, runAlignJobs } from './demo-align.ts';
import { createTinyLmInChild } from './demo-tiny.ts';
import { printEvaluation } from './recommender.ts';

interface DemoFlags {
  project: string;
  users: number;
  items: number;
  seed: number;
  epochs: number;
  alignSteps?: number;
  threads: number;
  parallel?: number;
  json?: boolean;
}

/** Aligns B, I and H, evaluates each (with the baselines once), prints the table and explanations. */
async function alignAllMethods(jobs: AlignJob[], lanes: number, ctx: CommandContext) {
  const done = await runAlignJobs(jobs, lanes, ctx.io.stderr);
  const results: Record<string, AlignmentMetrics> = {};
  const explanations: Record<string, Explanation[]> = {};
  const faithfulness: Record<string, ExplanationSummary | undefined> = {};
  const reports: Record<string, AlignmentReport> = {};
  for (const r of done) {
    results[r.method] = r.metrics;
    explanations[r.method] = r.explanations;
    faithfulness[r.method] = r.report.explanations;
    reports[r.method] = r.report;
  }
  const baselines = done.at(-1)?.baselines ?? {};
  if (!ctx.json) {
    ctx.io.stdout(`\nAlignment on the test anchors:\n${alignmentTable({ ...results, ...baselines })}\n`);
    const control = userShuffleLine(reports);
    if (control) ctx.io.stdout(`${control}\n`);
    for (const [m, r] of Object.entries(reports)) if (tooLongLine(r)) ctx.io.stdout(`${m}: ${tooLongLine(r)}\n`);
    ctx.io.stdout(`\n${faithfulnessTable(faithfulness)}\n`);
    for (let k = 0; k < Math.min(3, explanations.I?.length ?? 0); k++) {
      ctx.io.stdout(`\nExplanation ${k + 1}: ${explanations.B?.[k]?.prompt ?? explanations.I[k].prompt}\n`);
      for (const m of METHODS) if (explanations[m]?.[k]) ctx.io.stdout(`  ${m}: ${explanations[m][k].answer}\n`);
      ctx.io.stdout(`  recommender's rationale: ${explanations.I[k].reference}\n`);
    }
  }
  return { metrics: results, baselines, explanations };
}

// 50 per generated task (task 3 is not capped: all its test examples, up to 1,000, one forward pass each).
const DEMO_TEST_EXAMPLES = 300;

export function registerDemoCommand(program: Command, ctx: CommandContext): void {
  // One method of the demo's alignment stage, run by runAlignJobs in a child process.
  program
    .command('demo-align-job <job>', { hidden: true })
    .description('internal: train and evaluate one alignment method of the demo, result over IPC')
    .action(async (job: string) => {
      const result = await runAlignJob(JSON.parse(job) as AlignJob);
      if (process.send) await new Promise<void>((resolve) => process.send!(result, () => resolve()));
      else printJson(ctx.io, result);
    });
  program
    .command('demo')
    .description('build the demo project: synthetic dataset, SASRec target recommender, evaluation')
    .option('--project <dir>', 'project folder', 'demo-project')
    .option('--users <n>', 'number of users', intOption(10), 1000)
    .option('--items <n>', 'number of items', intOption(20), 500)
    .option('--seed <s>', 'random seed', intOption(0), 42)
    .option('--epochs <n>', 'SASRec training epochs at most', intOption(1), 20)
    .option('--align-steps <n>', `alignment steps per method (default: ${DEFAULT_ALIGN_STEPS_TEXT})`, intOption(1))
    // One thread per process by default, so the demo gives the same numbers on every run: ORT's
    // multi-threaded training kernels do not sum in a fixed order (two 2-thread runs trained different
    // SASRecs). The cores go to aligning the methods side by side instead (demo-align.ts): on 2 cores
    // the whole demo took 5 min 47 s this way, against 7 min 41 s with 2 threads and one method at a time.
    .option(
      '--threads <n>',
      'CPU threads per process (default 1: the same numbers on every run; more is faster on many cores)',
      intOption(1),
      1,
    )
    .option(
      '--parallel <n>',
      'alignment methods trained at once, each in its own process (default: all three; 1 = one after the other)',
      intOption(1),
    )
    .option('--json', 'print one JSON object on stdout')
    .action(async (f: DemoFlags) => {
      // The demo is disposable: re-running it replaces the previous demo project's data. The project keeps
      // the demo's thread count, so later commands (recx align train …, the app) train the same way.
      await runImport(
        {
          format: 'synthetic',
          project: f.project,
          users: f.users,
          items: f.items,
          seed: f.seed,
          kCore: 5,
          force: true,
          threads: f.threads,
        },
        ctx.io,
      );
      const dataset = await inspectDataset(f.project);
      if (!ctx.json) printInspection(ctx.io, dataset);
      const lanes = alignLanes(f.parallel ?? METHODS.length, METHODS.length);
      // With lanes, the tiny LM pre-trains in its own process while this one trains SASRec.
      const tinyChild =
        lanes > 1 ? createTinyLmInChild(f.project, { seed: f.seed, threads: f.threads }, ctx.io.stderr) : null;
      let stop = () => {};
      let trained: Awaited<ReturnType<typeof trainRecommender>>;
      let evaluation: Awaited<ReturnType<typeof evaluateProject>>;
      try {
        trained = await trainRecommender({
          project: f.project,
          model: 'sasrec',
          overrides: { maxEpochs: f.epochs, seed: f.seed, threads: f.threads },
          onTrainer: (t) => {
            stop = attachTrainingProgress(t, 'sasrec');
          },
        });
        stop();
        const progress = createStageProgress();
        evaluation = await evaluateProject(f.project, 'test', (d, t) => progress.update('evaluating', d, t));
        progress.stop();
        if (!ctx.json) {
          ctx.io.stdout(`\nSASRec trained for ${trained.epochs} epochs (best epoch ${trained.bestEpoch}).\n`);
          printEvaluation(ctx.io, evaluation);
        }
        // The alignment labels need only SASRec: made while the tiny LM may still be pre-training.
        await exportProject(f.project, { seed: f.seed, maxAnchorsPerUser: 8, threads: f.threads });
      } catch (e) {
        tinyChild?.kill();
        throw e;
      }
      const tiny = tinyChild
        ? await tinyChild.result
        : await createTinyLm(f.project, {
            seed: f.seed,
            threads: f.threads,
            onTrainer: (t) => {
              stop = attachTrainingProgress(t, 'tiny-lm');
            },
          });
      stop();
      const prompt = 'A user enjoyed';
      const [sample] = await generateText(tiny.dir, prompt, { maxNewTokens: 24 });
      if (!ctx.json) {
        ctx.io.stdout(
          `\nTiny LM: ${tiny.parameters.toLocaleString('en-US')} parameters, vocabulary ${tiny.vocabSize}, ` +
            `pre-trained ${tiny.steps} steps (loss ${tiny.finalLoss.toFixed(3)}) in ${tiny.seconds.toFixed(0)} s\n` +
            `  "${prompt}" → "${sample.text}"\n`,
        );
      }
      // All three at once by default, even on 2 cores: the three runs cost about the same (2,000–3,000
      // steps each), so time-sharing finishes sooner than two lanes, where one lane must run two methods.
      const jobs = METHODS.map((method) => ({
        project: f.project,
        method,
        steps: f.alignSteps,
        seed: f.seed,
        threads: f.threads,
        maxTest: DEMO_TEST_EXAMPLES,
        explain: SAMPLE_EXPLANATIONS, // three are printed
      }));
      if (!ctx.json && lanes > 1) ctx.io.stderr(`aligning ${lanes} methods at once, ${f.threads} thread(s) each\n`);
      const alignment = await alignAllMethods(jobs, lanes, ctx);
      if (ctx.json) {
        printJson(ctx.io, {
          dataset,
          recommender: { epochs: trained.epochs, validation: trained.validation },
          evaluation,
          llm: { ...tiny, sample: { prompt, text: sample.text } },
          alignment,
        });
      }
    });
}
