/**
 * `recx align train`: aligns the project's language model to its recommender with one method
 * (B / I / H): generates the task examples from the recommender's exports, trains LoRA + the two
 * projectors (host injection kernels, kernels/) with AdamW (linear warm-up and decay), writes
 * `runs/<id>/metrics.jsonl` as it goes, checkpoints every N steps (exact resume after a kill: the
 * batches are a pure function of the step), and saves the adapter (PEFT format) and projectors.
 */
import { appendFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_ALIGN_STEPS } from '../../contracts/align-steps.ts';
import type { TrainCounts } from '../../contracts/train-counts.ts';
import { readDataset } from '../data/dataset-store.ts';
import { InputError } from '../errors.ts';
import type { HostTensor } from '../graph/graph.ts';
import { saveSafetensors } from '../graph/safetensors.ts';
import { TrainStep } from '../graph/train-step.ts';
import { Trainer } from '../graph/trainer.ts';
import { initProjector, projectorTensors, SLOT_KINDS } from '../kernels/projector.ts';
import { loadHfModelDir } from '../llm/hf-model-dir.ts';
import { savePeftAdapter } from '../llm/peft-adapter.ts';
import { projectLlmDir } from '../llm/project-llm.ts';
import { loadTokenizer } from '../llm/tokenizer-files.ts';
import type { LlamaConfig } from '../models/llama-config.ts';
import { initLoraParams, LORA_TARGETS, type LoraTarget, loraConfig, loraParamShapes } from '../models/lora.ts';
import { readProjectFile } from '../project/project-file.ts';
import { readExports } from '../recommender/export/index.ts';
import { loadRecommender } from '../recommender/load-recommender.ts';
import { AlignBatches } from './align-batches.ts';
import { alignModelBuilder, EMBED_WEIGHT } from './align-model.ts';
import { createEncoder, type EncodedExample, encodeFitting, tooLongText } from './encode.ts';
import type { Method, TaskId } from './example.ts';
import { generateTasks } from './generate-tasks.ts';
import { type AlignRunConfig, createRunDir, EMBEDDINGS_FILE, readRunConfig, runDir, writeRunConfig } from './runs.ts';
import { TaskLossProbe } from './task-loss.ts';
import { foldVectorScale, rmsScale, scaledTable, type VectorScale } from './vector-scale.ts';

/**
 * Default steps (contracts/align-steps.ts), measured on the demo (docs/alignment.md, "What the tiny LM
 * learns"). Methods I and H must learn the user·item interaction for task 3, which the tiny LM picks up
 * only after ~15–20 k task-3 examples and only at a learning rate ≤ 3e-3 (at 5e-3 it never did): 2,000
 * steps of 16 with the default task mix get there, and projectors learning 3× faster made it more
 * reliable (0.89 → 0.91). B has no vectors to read and learns task 3 only with its embedding table
 * trained (below), and slowly: task 3 0.597 at 1,000 steps, 0.756–0.768 at 2,000, 0.796 at 3,000
 * (popularity 0.747).
 */
export { DEFAULT_ALIGN_STEPS, DEFAULT_ALIGN_STEPS_TEXT } from '../../contracts/align-steps.ts';
/**
 * Each batch runs as this many micro-batches of its examples sorted by length (align-batches.ts): the
 * same gradient for less padding.
 */
export const DEFAULT_LENGTH_PARTS = 2;
export const DEFAULT_ALIGN_LR = 2e-3;
/**
 * Tokens per example at most (default: this, or the LM's context when shorter). 256 holds a real
 * catalogue's long titles: on an Amazon-like set (titles of 11 tokens at the median, 40 at most),
 * 128 could not hold task 6's nine titles (157 tokens) and dropped the whole history from most task-2
 * prompts; at 256 every task fits after dropping history. Batches are padded to their longest example,
 * so short-titled data (the demo) pays nothing for the headroom.
 */
export const DEFAULT_ALIGN_MAX_LEN = 256;
export const DEFAULT_PROJECTOR_LR_SCALE = 3;
/**
 * Every method trains the token embedding table by default when the table is small, as the built-in
 * tiny LM's (DESIGN.md §6's optional embedding rows and LM head; tied there). A real LM's table is
 * large (Qwen2.5-0.5B: 136 M entries, ~1.6 GB with its AdamW state, all updated every step), so there
 * LoRA alone stays the default, as in the paper. Measured on the demo project (1 thread; task 3 on 1,000 test examples,
 * the others on 59; docs/alignment.md):
 * - B reads users and items only through title tokens; with LoRA alone its task 3 stayed at chance
 *   (0.499); with the table trained, 0.768 at 2,000 steps (popularity 0.747);
 * - H: every metric rose (task 1 HR@5 0.712 → 0.763, task 3 0.881 → 0.903, faithfulness equal or better);
 * - I: task 3 0.918 → 0.930 and the cited items' score drop 0.150 → 0.239, task 1 0.814 → 0.763 (3 of 59).
 */
export const DEFAULT_TRAINED_TABLE_MAX = 4_000_000;

/** Whether a run trains the embedding table when the request does not say. */
export function defaultTrainEmbeddings(llama: Pick<LlamaConfig, 'vocabSize' | 'hidden'>): boolean {
  return llama.vocabSize * llama.hidden <= DEFAULT_TRAINED_TABLE_MAX;
}

export interface AlignTrainRequest {
  project: string;
  method: Method;
  tasks?: TaskId[];
  /** Training examples per task, replacing DEFAULT_TRAIN_COUNTS for those tasks (they set the task mix). */
  trainCounts?: TrainCounts;
  steps?: number;
  batchSize?: number;
  /** Micro-batches per optimizer step (gradient accumulation; default 1). */
  accumulation?: number;
  lr?: number;
  loraRank?: number;
  /** LoRA target projections (default all seven: the tiny LM is small enough, and q/v alone learn too little). */
  loraTargets?: LoraTarget[];
  /** Tokens per example at most (default DEFAULT_ALIGN_MAX_LEN, or the LM's context when shorter). */
  maxLen?: number;
  seed?: number;
  threads?: number;
  /** Continue this run from its checkpoint. */
  resumeRun?: string;
  checkpointEvery?: number;
  /** Micro-batches each batch runs as, by example length (align-batches.ts); default DEFAULT_LENGTH_PARTS. */
  lengthParts?: number;
  /** Also train the token embedding table, and with it a tied LM head (default: defaultTrainEmbeddings). */
  trainEmbeddings?: boolean;
  /** Multiplier of the learning rate for the projectors (default DEFAULT_PROJECTOR_LR_SCALE). */
  projectorLrScale?: number;
  /** Held-out per-task loss every N steps (default 50). */
  evalEvery?: number;
  signal?: AbortSignal;
  /** Things the user should know that do not stop the run (training examples skipped as too long). */
  onWarning?: (message: string) => void;
  onTrainer?: (trainer: Trainer, info: { runId: string; totalSteps: number }) => void;
}

export interface AlignTrainResult {
  runId: string;
  dir: string;
  completed: boolean;
  steps: number;
  finalLoss: number;
  examples: number;
  seconds: number;
}

/** A resumed run trains with its own stored settings, whatever the request says (its checkpoint needs them). */
async function withStoredSettings(req: AlignTrainRequest): Promise<AlignTrainRequest> {
  if (!req.resumeRun) return req;
  const c = await readRunConfig(req.project, req.resumeRun);
  return {
    ...req,
    method: c.method,
    tasks: c.tasks,
    trainCounts: c.trainCounts,
    steps: c.steps,
    batchSize: c.batchSize,
    accumulation: c.accumulation,
    lr: c.lr,
    loraRank: c.lora.r,
    loraTargets: c.lora.targetModules as LoraTarget[],
    maxLen: c.maxLen,
    seed: c.seed,
    projectorLrScale: c.projectorLrScale ?? 1,
    trainEmbeddings: c.trainEmbeddings === true, // runs from before the option kept the table frozen
  };
}

export async function trainAlignment(request: AlignTrainRequest): Promise<AlignTrainResult> {
  const t0 = performance.now();
  const stored = await withStoredSettings(request);
  const projectFile = await readProjectFile(stored.project);
  const req = { ...stored, threads: stored.threads ?? projectFile?.threads };
  const seed = req.seed ?? projectFile?.seed ?? 42;
  const { dataset } = await readDataset(req.project);
  const exports = await readExports(req.project);
  const llmDir = await projectLlmDir(req.project);
  const [model, tok] = [await loadHfModelDir(llmDir), await loadTokenizer(llmDir)];
  const recommender = await loadRecommender(req.project, req.threads);
  const itemTable = recommender.canScore ? recommender.itemTable() : null;
  const dRec = exports.summary.recommender.dim ?? 1;
  const vectorScale: VectorScale = {
    user: exports.userVectors ? rmsScale(exports.userVectors, dRec) : 1,
    item: itemTable ? rmsScale(itemTable, dRec, 1) : 1,
  };
  const taskSet = await generateTasks({
    method: req.method,
    exports,
    dataset,
    seed,
    tasks: req.tasks,
    trainCounts: req.trainCounts,
    recommender,
  });
  await recommender.release();
  const maxLen = req.maxLen ?? Math.min(DEFAULT_ALIGN_MAX_LEN, model.config.maxPositions);
  const encode = createEncoder(tok, maxLen);
  const trainExamples = taskSet.examples.filter((e) => e.split === 'train');
  const { fitting: train, tooLong } = encodeFitting(trainExamples, encode);
  const skipped = tooLongText(tooLong, trainExamples);
  if (skipped)
    req.onWarning?.(`training examples longer than ${maxLen} tokens even without history, skipped: ${skipped}`);
  if (train.length === 0) {
    throw new InputError(
      `no training example fits ${maxLen} tokens (--max-len): ${skipped ?? 'no examples generated'}`,
    );
  }
  const trainEmbeddings = req.trainEmbeddings ?? defaultTrainEmbeddings(model.config);
  const cfg: AlignRunConfig = {
    method: req.method,
    tasks: [...new Set(taskSet.examples.map((e) => e.task))],
    ...(req.trainCounts ? { trainCounts: req.trainCounts } : {}),
    seed,
    steps: req.steps ?? DEFAULT_ALIGN_STEPS[req.method],
    batchSize: req.batchSize ?? 16,
    accumulation: req.accumulation ?? 1,
    lr: req.lr ?? DEFAULT_ALIGN_LR,
    projectorLrScale: req.projectorLrScale ?? DEFAULT_PROJECTOR_LR_SCALE,
    lora: loraConfig({
      r: req.loraRank ?? 8,
      alpha: 2 * (req.loraRank ?? 8),
      targetModules: req.loraTargets ?? [...LORA_TARGETS],
    }),
    maxLen,
    ...(trainEmbeddings ? { trainEmbeddings } : {}),
    ...(skipped ? { skippedTooLong: tooLong } : {}),
    llmDir,
    recommenderKind: exports.summary.recommender.kind,
    vectorScale,
  };
  const runId = req.resumeRun ?? (await createRunDir(req.project, req.method));
  const dir = runDir(req.project, runId);
  await mkdir(dir, { recursive: true });
  if (!req.resumeRun) await writeRunConfig(dir, cfg);
  const hidden = model.config.hidden;
  const projectorInit = new Map(
    SLOT_KINDS.flatMap((kind) => [...projectorTensors(kind, initProjector({ kind, dRec, dModel: hidden, seed }))]),
  );
  const baseTable = model.weights.get(EMBED_WEIGHT)!;
  const tableInit: [string, HostTensor][] = trainEmbeddings
    ? [[EMBED_WEIGHT, { ...baseTable, data: Float32Array.from(baseTable.data as Float32Array) }]]
    : [];
  const init = new Map([...initLoraParams(cfg.lora, model.config, seed), ...projectorInit, ...tableInit]);
  const external = [
    ...[...projectorInit].map(([name, t]) => ({ name, dims: t.dims, group: { name: 'projector', weightDecay: 0 } })),
    ...tableInit.map(([name, t]) => ({ name, dims: t.dims, group: { name: 'embedding', weightDecay: 0 } })),
  ];
  const builder = alignModelBuilder(cfg.lora, model.config, model.weights, { trainEmbeddings });
  // Batches first: the TrainStep accumulates over their length parts (the closures read ts only later).
  const batches = new AlignBatches({
    examples: train,
    batchSize: cfg.batchSize,
    seed,
    table: trainEmbeddings ? () => ts.params.get(EMBED_WEIGHT)!.data as Float32Array : (baseTable.data as Float32Array),
    ...(trainEmbeddings ? { trainEmbeddings: model.config.tieEmbeddings ? 'tied' : 'input' } : {}),
    hidden,
    padId: tok.padTokenId ?? tok.eosTokenId ?? 0,
    userVectors: scaledTable(exports.userVectors, vectorScale.user),
    itemTable: scaledTable(itemTable, vectorScale.item),
    dRec,
    params: () => ts.params,
    lengthParts: req.lengthParts ?? DEFAULT_LENGTH_PARTS,
  });
  const ts = await TrainStep.create(
    builder,
    {
      optimizer: { kind: 'adamw' },
      maxGradNorm: 1,
      accumulation: cfg.accumulation * batches.partsPerBatch,
      external,
      session: { threads: req.threads, providers: ['cpu'] },
    },
    init,
  );
  const metricsFile = path.join(dir, 'metrics.jsonl');
  // Held-out loss per task every `evalEvery` steps, on up to 8 test examples of each task.
  const held = new Map<number, EncodedExample[]>();
  for (const { example: e, encoded } of encodeFitting(
    taskSet.examples.filter((x) => x.split === 'test'),
    encode,
  ).fitting) {
    const list = held.get(e.task) ?? [];
    if (list.length < 8) list.push(encoded);
    held.set(e.task, list);
  }
  const probe = await TaskLossProbe.create(builder, held, batches, { threads: req.threads, providers: ['cpu'] });
  const evalEvery = req.evalEvery ?? 50;
  const trainer = new Trainer(ts, {
    totalSteps: cfg.steps,
    schedule: { kind: 'linear', lr: cfg.lr, warmupSteps: Math.ceil(cfg.steps / 20), totalSteps: cfg.steps },
    groups: ['decay', 'no_decay', 'projector', 'embedding'].filter((g) => ts.groupNames.includes(g)),
    groupLrScale: { projector: cfg.projectorLrScale ?? 1 },
    batches: (step) => batches.microBatches(step, cfg.accumulation),
    externalGradients: (micro, outputs) => batches.externalGradients(micro, outputs),
    seed,
    tokensPerStep: (step) => batches.tokensOf(step, cfg.accumulation),
    checkpointDir: path.join(dir, 'checkpoint'),
    checkpointEvery: req.checkpointEvery ?? 50,
    config: cfg,
    signal: req.signal,
    evaluate: { every: evalEvery, run: () => probe.run(ts.params) },
  });
  trainer.on('eval', (e) => appendFileSync(metricsFile, `${JSON.stringify({ step: e.step, eval: e.metrics })}\n`));
  trainer.on('step', (e) => {
    const line = {
      step: e.step,
      timeSec: e.elapsedSec,
      loss: e.loss,
      tasks: batches.tasksOf((e.step - 1) * cfg.accumulation),
      lr: e.lr,
      tokensPerSec: e.throughput,
      rssMb: e.rssMb,
      etaSec: e.etaSec,
    };
    appendFileSync(metricsFile, `${JSON.stringify(line)}\n`); // small, ordered, survives a kill
  });
  if (req.resumeRun) {
    const { step } = await trainer.resume();
    // Steps after the checkpoint will run again: drop their lines (a kill -9 can leave some).
    const kept = (await readFile(metricsFile, 'utf8').catch(() => ''))
      .split('\n')
      .filter((l) => l !== '' && (JSON.parse(l) as { step: number }).step <= step);
    await writeFile(metricsFile, kept.map((l) => `${l}\n`).join(''));
  }
  req.onTrainer?.(trainer, { runId, totalSteps: cfg.steps });
  const run = await trainer.run();
  const params = new Map(ts.params);
  await ts.release();
  await probe.release();
  if (run.completed) {
    const loraWeights = new Map(loraParamShapes(cfg.lora, model.config).map(({ name }) => [name, params.get(name)!]));
    await savePeftAdapter(path.join(dir, 'adapter'), { config: cfg.lora, weights: loraWeights, baseModel: llmDir });
    await saveSafetensors(
      path.join(dir, 'projectors.safetensors'),
      foldVectorScale(new Map([...projectorInit.keys()].map((k) => [k, params.get(k)!])), vectorScale),
    );
    if (trainEmbeddings)
      await saveSafetensors(path.join(dir, EMBEDDINGS_FILE), new Map([[EMBED_WEIGHT, params.get(EMBED_WEIGHT)!]]));
    await writeFile(path.join(dir, 'done.json'), `${JSON.stringify({ steps: run.step, finalLoss: run.lastLoss })}\n`);
  }
  return {
    runId,
    dir,
    completed: run.completed,
    steps: run.step,
    finalLoss: run.lastLoss,
    examples: train.length,
    seconds: (performance.now() - t0) / 1000,
  };
}
