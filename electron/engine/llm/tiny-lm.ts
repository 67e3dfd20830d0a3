/**
 * The built-in tiny LM (`recx llm create-tiny`): a small Llama-architecture model with a tokenizer
 * built from the project's corpus, pre-trained on that corpus with the graph-engine Trainer, and
 * saved as a normal Hugging Face directory (`<project>/llm/tiny/`) that our loader and
 * transformers both accept.
 *
 * Size (default): hidden 128, 4 layers, 4 heads with 2 KV heads (GQA), SwiGLU 344, tied
 * embeddings, context 256 — about 1 M parameters with a ~1–2 k word vocabulary. Chosen for 2 CPU
 * cores: one pre-training step (16 × 64 tokens) takes tens of milliseconds, so a few hundred steps
 * (a few epochs of a demo-sized corpus) finish in well under a minute, and the alignment stage can
 * then train three variants (B, I, H) within the demo's time budget. Larger catalogues can raise
 * `hidden`/`layers` through the options.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readDataset } from '../data/dataset-store.ts';
import { TrainStep } from '../graph/train-step.ts';
import { Trainer } from '../graph/trainer.ts';
import { initLlamaParams, type LlamaConfig, llamaCausalLmBuilder } from '../models/llama.ts';
import { replaceDirAtomic } from '../project/atomic-io.ts';
import { projectThreads, readProjectFile, writeProjectFile } from '../project/project-file.ts';
import { Rng } from '../random.ts';
import { saveHfModelDir } from './hf-model-dir.ts';
import { LmBatches } from './lm-batches.ts';
import { tinyCorpus } from './tiny-corpus.ts';
import { buildTinyTokenizer } from './tiny-tokenizer.ts';
import { saveTokenizer } from './tokenizer-files.ts';

export const TINY_DIR = path.join('llm', 'tiny');

export interface TinyLmOptions {
  seed?: number;
  steps?: number;
  hidden?: number;
  layers?: number;
  seqLen?: number;
  batchSize?: number;
  lr?: number;
  threads?: number;
  /** Extra corpus lines (e.g. task templates) added to the project's item and history sentences. */
  extraCorpus?: string[];
  /** Stops pre-training; nothing is saved (the project keeps the LM it had). */
  signal?: AbortSignal;
  onTrainer?: (trainer: Trainer, info: { totalSteps: number }) => void;
}

export interface TinyLmResult {
  dir: string;
  config: LlamaConfig;
  parameters: number;
  vocabSize: number;
  corpusLines: number;
  corpusTokens: number;
  steps: number;
  finalLoss: number;
  seconds: number;
}

/**
 * One Yes/No question per user about a window of its training sequence: the true next item → "Yes",
 * an item the user never had → "No". Without such lines "Yes" and "No" never occur in the corpus,
 * and with the tied, frozen embeddings the aligned LM can then give task 3's answer at most ~2%
 * probability (task-3 training loss stalls near 2.5; with them it drops to ~0.3).
 */
export function yesNoSentences(
  ds: {
    numUsers: number;
    numItems: number;
    offsets: Uint32Array;
    items: Uint32Array;
    itemRecords: { title: string }[];
  },
  seed: number,
  window = 5,
): string[] {
  const rng = new Rng(seed).fork('tiny-corpus-yes-no');
  const title = (item: number) => ds.itemRecords[item - 1].title;
  const out: string[] = [];
  for (let u = 0; u < ds.numUsers; u++) {
    const start = ds.offsets[u];
    const trainEnd = ds.offsets[u + 1] - 2; // never the validation or test item
    if (trainEnd - start < 2) continue;
    const end = start + 1 + rng.int(trainEnd - start - 1);
    const history = Array.from(ds.items.subarray(Math.max(start, end - window), end), title).join('; ');
    const seen = new Set(ds.items.subarray(start, ds.offsets[u + 1]));
    const yes = u % 2 === 0;
    let item = ds.items[end];
    if (!yes && seen.size < ds.numItems) {
      do item = 1 + rng.int(ds.numItems);
      while (seen.has(item));
    }
    out.push(
      `Would a user who enjoyed ${history} choose ${title(item)} next? ${yes || seen.has(item) ? 'Yes' : 'No'}.`,
    );
  }
  return out;
}

export async function createTinyLm(project: string, opts: TinyLmOptions = {}): Promise<TinyLmResult> {
  const t0 = performance.now();
  const { dataset } = await readDataset(project);
  const seed = opts.seed ?? (await readProjectFile(project))?.seed ?? 42;
  // Yes/No lines so the tied head can emit task 3's answers (yesNoSentences).
  const corpus = tinyCorpus(dataset, seed, [...yesNoSentences(dataset, seed), ...(opts.extraCorpus ?? [])]);
  const seqLen = opts.seqLen ?? 64;
  const maxPositions = 256;
  const tok = buildTinyTokenizer(corpus, { modelMaxLength: maxPositions });
  const eos = tok.eosTokenId!;
  const cfg: LlamaConfig = {
    vocabSize: tok.vocabSize,
    hidden: opts.hidden ?? 128,
    layers: opts.layers ?? 4,
    heads: 4,
    kvHeads: 2,
    intermediate: Math.round(((opts.hidden ?? 128) * 8) / 3 / 8) * 8,
    rmsEps: 1e-6,
    ropeTheta: 10000,
    maxPositions,
    tieEmbeddings: true,
  };
  const stream = LmBatches.streamOf(
    corpus.map((l) => tok.encode(l, { addSpecialTokens: false })),
    eos,
  );
  const batches = new LmBatches(stream, seqLen, opts.batchSize ?? 16, seed);
  const totalSteps = opts.steps ?? Math.min(1500, Math.max(300, 4 * batches.stepsPerEpoch));
  const init = initLlamaParams(cfg, seed);
  const ts = await TrainStep.create(
    llamaCausalLmBuilder(cfg, { weightDecay: 0.01 }),
    {
      optimizer: { kind: 'adamw' },
      maxGradNorm: 1,
      accumulation: 1,
      session: { threads: await projectThreads(project, opts.threads), providers: ['cpu'] },
    },
    init,
  );
  const trainer = new Trainer(ts, {
    totalSteps,
    schedule: {
      kind: 'cosine',
      lr: opts.lr ?? 3e-3,
      warmupSteps: Math.min(50, Math.floor(totalSteps / 10)),
      totalSteps,
      minRatio: 0.1,
    },
    groups: ['decay', 'no_decay'],
    batches: (s) => [batches.batch(s)],
    seed,
    tokensPerStep: (opts.batchSize ?? 16) * seqLen,
    signal: opts.signal,
  });
  opts.onTrainer?.(trainer, { totalSteps });
  const run = await trainer.run();
  const weights = new Map(ts.params);
  await ts.release();
  // A half pre-trained LM is worse than none: a stopped build leaves the project as it was.
  if (!run.completed) throw Object.assign(new Error('tiny LM pre-training was stopped'), { name: 'AbortError' });
  const dir = path.join(project, TINY_DIR);
  await replaceDirAtomic(dir, async (tmp) => {
    await saveHfModelDir(tmp, cfg, weights, {
      bosTokenId: tok.bosTokenId,
      eosTokenIds: [eos],
      padTokenId: tok.padTokenId,
    });
    await saveTokenizer(tmp, tok);
    const generation = {
      bos_token_id: tok.bosTokenId,
      eos_token_id: eos,
      pad_token_id: tok.padTokenId,
      do_sample: false,
    };
    await writeFile(path.join(tmp, 'generation_config.json'), `${JSON.stringify(generation, null, 2)}\n`);
  });
  const projectFile = await readProjectFile(project);
  if (projectFile) await writeProjectFile(project, { ...projectFile, llm: { kind: 'tiny', path: TINY_DIR } });
  let parameters = 0;
  for (const t of weights.values()) parameters += t.data.length;
  return {
    dir,
    config: cfg,
    parameters,
    vocabSize: tok.vocabSize,
    corpusLines: corpus.length,
    corpusTokens: stream.length,
    steps: run.step,
    finalLoss: run.lastLoss,
    seconds: (performance.now() - t0) / 1000,
  };
}
