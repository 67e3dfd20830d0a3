/**
 * Benchmark: training step and inference of the tiny Llama-style LM of issue #3 (vocab 512, d 128,
 * 4 heads, 2 blocks, SwiGLU 344, B 8 × T 64) on the graph engine, at 1 and 2 threads, plus the
 * embedding-gradient variants (ScatterND vs OneHot·MatMul). When a reference PyTorch is available
 * (RECX_REF_PYTHON, else .ref-venv/bin/python) the same model runs in PyTorch in this invocation
 * (bench/torch/train_step.py) and the ratios are printed (> 1: we are faster).
 * Progress on stderr; the last stdout line is one JSON object.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { Graph, type HostTensor, type Value } from '../electron/engine/graph/graph.ts';
import { gatherGradient } from '../electron/engine/graph/ops/shape.ts';
import { GraphSession } from '../electron/engine/graph/session.ts';
import { TrainStep } from '../electron/engine/graph/train-step.ts';
import {
  buildLlamaLogits,
  initLlamaParams,
  type LlamaConfig,
  llamaCausalLmBuilder,
} from '../electron/engine/models/llama.ts';
import { Rng } from '../electron/engine/random.ts';
import { referencePython } from './reference-python.ts';

const CFG: LlamaConfig = {
  vocabSize: 512,
  hidden: 128,
  layers: 2,
  heads: 4,
  kvHeads: 4,
  intermediate: 344,
  rmsEps: 1e-6,
  ropeTheta: 10000,
  maxPositions: 1024,
  tieEmbeddings: false,
};
const B = 8;
const T = 64;
const STEPS = Number(process.env.BENCH_STEPS ?? 40);
const log = (s: string) => process.stderr.write(`${s}\n`);

function ids(rng: Rng, b: number, t: number): HostTensor {
  return {
    dtype: 'int64',
    dims: [b, t],
    data: BigInt64Array.from({ length: b * t }, () => BigInt(rng.int(CFG.vocabSize))),
  };
}

async function trainStepMs(threads: number): Promise<number> {
  const ts = await TrainStep.create(
    llamaCausalLmBuilder(CFG),
    { optimizer: { kind: 'adamw' }, maxGradNorm: 1, accumulation: 1, session: { threads, providers: ['cpu'] } },
    initLlamaParams(CFG, 0),
  );
  const rng = new Rng(1);
  const batch = { input_ids: ids(rng, B, T), labels: ids(rng, B, T) };
  const lr = { decay: 1e-3, no_decay: 1e-3 };
  for (let s = 0; s < 5; s++) await ts.step([batch], s, lr);
  const t0 = performance.now();
  for (let s = 0; s < STEPS; s++) await ts.step([batch], s, lr);
  const ms = (performance.now() - t0) / STEPS;
  await ts.release();
  return ms;
}

/** Forward of 512 tokens with frozen weights as initializers (what inference uses). */
async function inferenceMs(threads: number): Promise<number> {
  const g = new Graph('llama_infer');
  const params: Record<string, Value> = {};
  for (const [name, t] of initLlamaParams(CFG, 0)) params[name] = g.initializer(name, t);
  const input = g.input('input_ids', 'int64', [1, 512]);
  g.output(buildLlamaLogits(CFG, params, input), 'logits');
  const session = await GraphSession.create(g, { threads, providers: ['cpu'] });
  const feeds = { input_ids: ids(new Rng(2), 1, 512) };
  for (let k = 0; k < 3; k++) await session.run(feeds);
  const reps = 20;
  const t0 = performance.now();
  for (let k = 0; k < reps; k++) await session.run(feeds);
  const ms = (performance.now() - t0) / reps;
  await session.release();
  return ms;
}

function torchFigures(py: string, threads: number) {
  const out = execFileSync(py, [path.resolve('bench/torch/train_step.py'), String(threads), String(STEPS)], {
    encoding: 'utf8',
    env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' },
  });
  return JSON.parse(out.trim().split('\n').at(-1)!) as { torch: string; train_step_ms: number; infer_512_ms: number };
}

const round = (x: number) => Math.round(x * 100) / 100;
const result: Record<string, unknown> = { bench: 'train-step', config: { ...CFG, batch: B, seq: T } };
for (const threads of [1, 2]) {
  log(`train step, ${threads} thread(s)…`);
  const ms = await trainStepMs(threads);
  const inf = await inferenceMs(threads);
  log(`  ${ms.toFixed(2)} ms/step, inference 512 tokens ${inf.toFixed(2)} ms`);
  result[`train_step_ms_${threads}t`] = round(ms);
  result[`train_tokens_per_s_${threads}t`] = Math.round((B * T) / (ms / 1000));
  result[`infer_512_ms_${threads}t`] = round(inf);
  result[`infer_tokens_per_s_${threads}t`] = Math.round(512 / (inf / 1000));
}
log('embedding gradient via OneHot·MatMul (1 thread)…');
gatherGradient.mode = 'onehot';
result.train_step_ms_1t_onehot_gather = round(await trainStepMs(1));
gatherGradient.mode = 'scatter';
const py = referencePython();
if (py) {
  for (const threads of [1, 2]) {
    log(`PyTorch reference, ${threads} thread(s)…`);
    const t = torchFigures(py, threads);
    result.torch_version = t.torch;
    result[`torch_train_step_ms_${threads}t`] = round(t.train_step_ms);
    result[`torch_infer_512_ms_${threads}t`] = round(t.infer_512_ms);
    result[`ratio_vs_torch_train_${threads}t`] = round(
      t.train_step_ms / (result[`train_step_ms_${threads}t`] as number),
    );
    result[`ratio_vs_torch_infer_${threads}t`] = round(t.infer_512_ms / (result[`infer_512_ms_${threads}t`] as number));
  }
  result.ratio_vs_torch = result.ratio_vs_torch_train_1t;
} else {
  log('no reference PyTorch found (set RECX_REF_PYTHON): ratios skipped');
}
console.log(JSON.stringify(result));
