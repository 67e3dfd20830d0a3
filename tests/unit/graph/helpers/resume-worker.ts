/**
 * Child process for the resume test: trains the MLP up to `stopAt` steps (cancelling there) or to
 * the end, checkpointing into `dir`, resuming from whatever checkpoint `dir` holds. Prints the
 * losses of the steps it ran as JSON.
 */
import { TrainStep } from '../../../../electron/engine/graph/train-step.ts';
import { Trainer } from '../../../../electron/engine/graph/trainer.ts';
import { buildMlp, mlpBatch, mlpInit } from './mlp-model.ts';

export async function trainMlp(
  dir: string | undefined,
  total: number,
  stopAt?: number,
): Promise<{ step: number; loss: number }[]> {
  const ts = await TrainStep.create(
    buildMlp,
    { optimizer: { kind: 'adamw' }, maxGradNorm: 1, accumulation: 1, session: { threads: 1, providers: ['cpu'] } },
    mlpInit(),
  );
  const abort = new AbortController();
  const trainer = new Trainer(ts, {
    totalSteps: total,
    schedule: { kind: 'cosine', lr: 0.05, warmupSteps: 3, totalSteps: total },
    groups: ['decay', 'no_decay'],
    batches: (s) => [mlpBatch(s)],
    seed: 7,
    checkpointDir: dir,
    checkpointEvery: 5,
    config: { model: 'mlp', total },
    signal: abort.signal,
  });
  await trainer.resume();
  const losses: { step: number; loss: number }[] = [];
  trainer.on('step', (e) => {
    losses.push({ step: e.step, loss: e.loss });
    if (stopAt !== undefined && e.step === stopAt) abort.abort();
  });
  await trainer.run();
  await ts.release();
  return losses;
}

if (process.argv[2]) {
  const [dir, total, stopAt] = process.argv.slice(2);
  const losses = await trainMlp(dir, Number(total), stopAt ? Number(stopAt) : undefined);
  process.stdout.write(`${JSON.stringify(losses)}\n`);
}
