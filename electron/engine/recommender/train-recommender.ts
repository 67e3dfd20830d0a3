/**
 * `recx recommender train`: trains SASRec or MF on the project's dataset with the graph engine,
 * evaluates validation NDCG@10 after every epoch, stops early after `patience` epochs without
 * improvement, keeps the best weights, and stores them as the project's target recommender.
 * Checkpoints go to recommender/train/ every epoch and on cancel; `resume` continues exactly.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import {
  type RankingMetrics,
  RECOMMENDER_SCHEMA_VERSION,
  type RecommenderManifest,
} from '../../contracts/recommender.ts';
import { readDataset } from '../data/dataset-store.ts';
import { loadSafetensors, saveSafetensors } from '../graph/safetensors.ts';
import { TrainStep } from '../graph/train-step.ts';
import { Trainer } from '../graph/trainer.ts';
import { exists } from '../project/atomic-io.ts';
import { projectThreads } from '../project/project-file.ts';
import { MfBatches, SasrecBatches, trainingData } from './batches.ts';
import { evaluateScores } from './evaluate.ts';
import { ItemScorer } from './item-scorer.ts';
import { userRows } from './mf-recommender.ts';
import { modelFor } from './model-factory.ts';
import { DEFAULT_PRESET, resolveSettings, type TrainSettings } from './presets.ts';
import { SasrecEncoder } from './sasrec-recommender.ts';
import { recommenderDir, saveTrainedRecommender } from './store.ts';
import type { HistoryRequest } from './types.ts';

export interface TrainRecommenderRequest {
  project: string;
  model: 'sasrec' | 'mf';
  preset?: string;
  overrides?: Partial<TrainSettings>;
  /** Continue from recommender/train/ instead of starting over. */
  resume?: boolean;
  signal?: AbortSignal;
  /** Called with the Trainer before training starts (progress display). */
  onTrainer?: (trainer: Trainer, info: { stepsPerEpoch: number; totalSteps: number }) => void;
}

export interface TrainRecommenderResult {
  /** False when cancelled (a checkpoint was saved; run again with resume). */
  completed: boolean;
  stoppedEarly: boolean;
  epochs: number;
  bestEpoch: number;
  validation: RankingMetrics;
  settings: TrainSettings;
  manifest?: RecommenderManifest;
}

const METRIC = 'NDCG@10';

export async function trainRecommender(req: TrainRecommenderRequest): Promise<TrainRecommenderResult> {
  const { manifest: dataManifest, dataset: ds } = await readDataset(req.project);
  const settings = resolveSettings(req.preset ?? DEFAULT_PRESET[req.model], { ...req.overrides, model: req.model });
  const model = modelFor(settings, ds.numUsers, ds.numItems);
  const data = trainingData(ds);
  const batches =
    settings.model === 'sasrec'
      ? new SasrecBatches(
          data,
          settings.maxLen,
          settings.batchSize,
          settings.seed,
          settings.loss === 'ce' ? 'ce' : 'bce',
        )
      : new MfBatches(
          data,
          settings.batchSize,
          settings.seed,
          settings.loss === 'sampled-softmax' ? settings.negatives : 1,
        );
  const session = { threads: await projectThreads(req.project, settings.threads), providers: ['cpu' as const] };
  const ts = await TrainStep.create(
    model.builder,
    { optimizer: { kind: 'adamw', beta2: model.beta2 }, maxGradNorm: 0, accumulation: 1, session },
    model.init,
  );
  const trainDir = path.join(recommenderDir(req.project), 'train');
  if (!req.resume) await rm(trainDir, { recursive: true, force: true });
  const bestFile = path.join(trainDir, 'best.safetensors');
  const totalSteps = batches.stepsPerEpoch * settings.maxEpochs;
  const encoder = model.sasrecConfig ? await SasrecEncoder.create(model.sasrecConfig, session) : null;
  const scorer = await ItemScorer.createDynamic(ds.numItems + 1, settings.hidden, session);
  let best = { metric: Number.NEGATIVE_INFINITY, epoch: 0, bad: 0, metrics: {} as RankingMetrics };
  const score = async (reqs: HistoryRequest[]) => {
    const p = ts.params;
    const users = encoder
      ? await encoder.encode(p, reqs)
      : userRows(p.get('user_emb.weight')!.data as Float32Array, settings.hidden, reqs);
    return scorer.score(users, p.get('item_emb.weight')!.data as Float32Array);
  };
  const trainer = new Trainer(ts, {
    totalSteps,
    schedule: { kind: 'constant', lr: settings.lr },
    groups: model.groups,
    batches: (step) => [batches.batch(step)],
    seed: settings.seed,
    examplesPerStep: settings.batchSize,
    checkpointDir: trainDir,
    checkpointEvery: batches.stepsPerEpoch,
    config: { settings, data: dataManifest.contentHash },
    evaluate: {
      every: batches.stepsPerEpoch,
      run: async (step) => {
        const report = await evaluateScores(score, ds, 'validation', { seed: settings.seed });
        const epoch = step / batches.stepsPerEpoch;
        const m = report.full[METRIC];
        if (m > best.metric) {
          best = { metric: m, epoch, bad: 0, metrics: report.full };
          await saveSafetensors(bestFile, new Map(ts.params));
        } else best.bad++;
        return { epoch, ...report.full };
      },
    },
    shouldStop: () => best.bad >= settings.patience,
    extraState: () => ({ best }),
    signal: req.signal,
  });
  if (req.resume) {
    const { extra } = await trainer.resume();
    if (extra.best) best = extra.best as typeof best;
  }
  req.onTrainer?.(trainer, { stepsPerEpoch: batches.stepsPerEpoch, totalSteps });
  const run = await trainer.run();
  await encoder?.release();
  await scorer.release();
  await ts.release();
  const result: TrainRecommenderResult = {
    completed: run.completed,
    stoppedEarly: run.stoppedEarly,
    epochs: Math.floor(run.step / batches.stepsPerEpoch),
    bestEpoch: best.epoch,
    validation: best.metrics,
    settings,
  };
  if (!run.completed) return result;
  const weights = (await exists(bestFile)) ? (await loadSafetensors(bestFile)).tensors : new Map(ts.params);
  const manifest: RecommenderManifest = {
    schemaVersion: RECOMMENDER_SCHEMA_VERSION,
    kind: settings.model,
    createdAt: new Date().toISOString(),
    dataContentHash: dataManifest.contentHash,
    numItems: ds.numItems,
    dim: settings.hidden,
    details: {
      preset: req.preset ?? DEFAULT_PRESET[req.model],
      settings,
      config: model.sasrecConfig ?? model.mfConfig,
      epochs: result.epochs,
      bestEpoch: best.epoch,
      validation: best.metrics,
    },
  };
  await saveTrainedRecommender(req.project, manifest, weights);
  return { ...result, manifest };
}
