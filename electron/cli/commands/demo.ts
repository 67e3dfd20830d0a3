/**
 * `recx demo`: the built-in demo project, end to end as far as the product goes today: generate the
 * synthetic dataset, preprocess and split it, train SASRec (early stopping on validation NDCG@10),
 * evaluate it on the test split against the popularity and random baselines, then build the tiny
 * LM from the project corpus and show a short generation.
 */
import type { Command } from 'commander';
import { inspectDataset } from '../../engine/data/inspect-dataset.ts';
import { generateText } from '../../engine/llm/project-llm.ts';
import { createTinyLm } from '../../engine/llm/tiny-lm.ts';
import { evaluateProject } from '../../engine/recommender/evaluate-project.ts';
import { trainRecommender } from '../../engine/recommender/train-recommender.ts';
import type { CommandContext } from '../main.ts';
import { intOption } from '../options.ts';
import { printJson } from '../output.ts';
import { createStageProgress } from '../progress.ts';
import { attachTrainingProgress } from '../training-progress.ts';
import { printInspection, runImport } from './data.ts';
import { printEvaluation } from './recommender.ts';

interface DemoFlags {
  project: string;
  users: number;
  items: number;
  seed: number;
  epochs: number;
  json?: boolean;
}

export function registerDemoCommand(program: Command, ctx: CommandContext): void {
  program
    .command('demo')
    .description('build the demo project: synthetic dataset, SASRec target recommender, evaluation')
    .option('--project <dir>', 'project folder', 'demo-project')
    .option('--users <n>', 'number of users', intOption(10), 1000)
    .option('--items <n>', 'number of items', intOption(20), 500)
    .option('--seed <s>', 'random seed', intOption(0), 42)
    .option('--epochs <n>', 'SASRec training epochs at most', intOption(1), 20)
    .option('--json', 'print one JSON object on stdout')
    .action(async (f: DemoFlags) => {
      // The demo is disposable: re-running it replaces the previous demo project's data.
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
      const dataset = await inspectDataset(f.project);
      if (!ctx.json) printInspection(ctx.io, dataset);
      let stop = () => {};
      const trained = await trainRecommender({
        project: f.project,
        model: 'sasrec',
        overrides: { maxEpochs: f.epochs, seed: f.seed },
        onTrainer: (t) => {
          stop = attachTrainingProgress(t, 'sasrec');
        },
      });
      stop();
      const progress = createStageProgress();
      const evaluation = await evaluateProject(f.project, 'test', (d, t) => progress.update('evaluating', d, t));
      progress.stop();
      if (!ctx.json) {
        ctx.io.stdout(`\nSASRec trained for ${trained.epochs} epochs (best epoch ${trained.bestEpoch}).\n`);
        printEvaluation(ctx.io, evaluation);
      }
      const tiny = await createTinyLm(f.project, {
        seed: f.seed,
        onTrainer: (t) => {
          stop = attachTrainingProgress(t, 'tiny-lm');
        },
      });
      stop();
      const prompt = 'A user enjoyed';
      const [sample] = await generateText(tiny.dir, prompt, { maxNewTokens: 24 });
      if (ctx.json) {
        printJson(ctx.io, {
          dataset,
          recommender: { epochs: trained.epochs, validation: trained.validation },
          evaluation,
          llm: { ...tiny, sample: { prompt, text: sample.text } },
        });
      } else {
        ctx.io.stdout(
          `\nTiny LM: ${tiny.parameters.toLocaleString('en-US')} parameters, vocabulary ${tiny.vocabSize}, ` +
            `pre-trained ${tiny.steps} steps (loss ${tiny.finalLoss.toFixed(3)}) in ${tiny.seconds.toFixed(0)} s\n` +
            `  "${prompt}" → "${sample.text}"\n`,
        );
      }
    });
}
