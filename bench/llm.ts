/**
 * Benchmark: the LLM engine on two random-weight Llama-family models — the built-in tiny LM's shape
 * (electron/engine/llm/tiny-lm.ts: vocab 1,300, hidden 128, 4 layers, 4 heads / 2 KV heads, SwiGLU
 * 344, tied embeddings) and Qwen2.5-0.5B's shape (vocab 151,936, hidden 896, 24 layers, 14 heads /
 * 2 KV heads, SwiGLU 4,864, qkv biases, tied embeddings, RoPE θ 1e6; ~494 M parameters, ~2 GB in
 * float32):
 *  - generation: greedy generate() on LlamaRuntime (KV cache), batch 1, a 32-token prompt, 64 new
 *    tokens (16 for the 0.5B), EOS off; tokens/s = new tokens ÷ the whole call (prefill included);
 *  - LoRA training step (models/lora.ts: r 8, alpha 8, q_proj/v_proj; AdamW, clip 1.0, no weight
 *    decay) at sequence length 256: batch 4 (tiny), batch 1 (0.5B). The tiny base is baked in as
 *    initializers; the 0.5B base is fed as graph inputs, since an in-memory ONNX model cannot hold
 *    2 GB of initializers.
 * Times are medians after one warm-up (generate: 20 calls tiny, 1 call 0.5B; LoRA: 20 steps tiny, 2 steps
 * 0.5B), at 1 and 2 threads; random weight init and session creation are not timed.
 * Each of our measurements runs in a child process, so its peak RSS is its own; the PyTorch
 * reference (bench/torch/llm_bench.py: transformers + PEFT, the same shapes) runs in this
 * invocation when available (RECX_REF_PYTHON, else .ref-venv/bin/python). ratio = torch time ÷ ours
 * (> 1: we are faster). Goals (issue): tiny generation ≥ 3× transformers' generate; LoRA step ≥ 1.5×
 * PyTorch+PEFT; the 0.5B LoRA step runs, peak RSS stated.
 * Env: BENCH_MODELS (tiny,qwen05b), BENCH_QWEN_STEPS (2), BENCH_QWEN_TOKENS (16).
 * Progress on stderr; the last stdout line is one JSON object.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { HostTensor } from '../electron/engine/graph/graph.ts';
import { TrainStep } from '../electron/engine/graph/train-step.ts';
import { generate } from '../electron/engine/llm/generate.ts';
import { LlamaRuntime } from '../electron/engine/llm/llama-runtime.ts';
import { initLlamaParams, type LlamaConfig } from '../electron/engine/models/llama.ts';
import { initLoraParams, loraCausalLmBuilder, loraConfig } from '../electron/engine/models/lora.ts';
import { Rng } from '../electron/engine/random.ts';
import { referencePython } from './reference-python.ts';

type ModelName = 'tiny' | 'qwen05b';
type Kind = 'generate' | 'lora';
const SEQ = 256;
const PROMPT = 32;
const LORA = loraConfig({ r: 8, alpha: 8, targetModules: ['q_proj', 'v_proj'] });
const log = (s: string) => process.stderr.write(`${s}\n`);

const TINY: LlamaConfig = {
  vocabSize: 1300,
  hidden: 128,
  layers: 4,
  heads: 4,
  kvHeads: 2,
  intermediate: 344,
  rmsEps: 1e-6,
  ropeTheta: 10000,
  maxPositions: SEQ,
  tieEmbeddings: true,
};
const QWEN05B: LlamaConfig = {
  vocabSize: 151936,
  hidden: 896,
  layers: 24,
  heads: 14,
  kvHeads: 2,
  intermediate: 4864,
  rmsEps: 1e-6,
  ropeTheta: 1e6,
  maxPositions: SEQ,
  tieEmbeddings: true,
  qkvBias: true,
};

interface ModelPlan {
  cfg: LlamaConfig;
  newTokens: number;
  genReps: number;
  batch: number;
  steps: number;
  base: 'initializers' | 'inputs';
}
const PLANS: Record<ModelName, ModelPlan> = {
  tiny: { cfg: TINY, newTokens: 64, genReps: 20, batch: 4, steps: 20, base: 'initializers' },
  qwen05b: {
    cfg: QWEN05B,
    newTokens: Number(process.env.BENCH_QWEN_TOKENS ?? 16),
    genReps: 1,
    batch: 1,
    steps: Number(process.env.BENCH_QWEN_STEPS ?? 2),
    base: 'inputs',
  },
};
const THREADS = [1, 2];
const MODELS = (process.env.BENCH_MODELS ?? 'tiny,qwen05b').split(',') as ModelName[];

interface Request {
  model: ModelName;
  kind: Kind;
  threads: number;
}

interface Figures {
  /** generate: seconds per generate() call; lora: seconds per step (medians after one warm-up). */
  seconds: number;
  tokens_per_s?: number;
  /** Runtime / TrainStep creation (graph build, ORT session) in seconds. */
  create_s: number;
  init_s: number;
  peak_rss_mb: number;
  last_loss?: number;
  error?: string;
}

const ids = (rng: Rng, vocab: number, b: number, t: number): HostTensor => ({
  dtype: 'int64',
  dims: [b, t],
  data: BigInt64Array.from({ length: b * t }, () => BigInt(rng.int(vocab))),
});

/** Median seconds of `n` timed calls (robust to other work on a shared machine; both sides use it). */
async function medianSeconds(n: number, call: (k: number) => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let k = 0; k < n; k++) {
    const t0 = performance.now();
    await call(k);
    times.push((performance.now() - t0) / 1000);
  }
  times.sort((a, b) => a - b);
  return n % 2 ? times[(n - 1) / 2] : (times[n / 2 - 1] + times[n / 2]) / 2;
}

async function generateWorker(plan: ModelPlan, threads: number): Promise<Figures> {
  const t0 = performance.now();
  const weights = initLlamaParams(plan.cfg, 0);
  const t1 = performance.now();
  const rt = await LlamaRuntime.create(plan.cfg, weights, { session: { threads, providers: ['cpu'] } });
  weights.clear(); // the runtime holds the weights in ORT now
  const t2 = performance.now();
  const rng = new Rng(1);
  const prompt = Array.from({ length: PROMPT }, () => rng.int(plan.cfg.vocabSize));
  const run = async () => {
    const [seq] = await generate(rt, prompt, { maxNewTokens: plan.newTokens, eosTokenIds: [] });
    if (seq.tokens.length !== plan.newTokens) throw new Error(`generated ${seq.tokens.length} tokens`);
  };
  await run();
  const seconds = await medianSeconds(plan.genReps, run);
  await rt.release();
  return {
    seconds,
    tokens_per_s: plan.newTokens / seconds,
    create_s: (t2 - t1) / 1000,
    init_s: (t1 - t0) / 1000,
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
  };
}

async function loraWorker(plan: ModelPlan, threads: number): Promise<Figures> {
  const t0 = performance.now();
  const base = initLlamaParams(plan.cfg, 0);
  const t1 = performance.now();
  const frozen =
    plan.base === 'inputs' ? ({ kind: 'inputs' } as const) : { kind: 'initializers' as const, weights: base };
  const ts = await TrainStep.create(
    loraCausalLmBuilder(LORA, plan.cfg, { base: frozen, weightDecay: 0 }),
    { optimizer: { kind: 'adamw' }, maxGradNorm: 1, accumulation: 1, session: { threads, providers: ['cpu'] } },
    initLoraParams(LORA, plan.cfg, 0),
  );
  const t2 = performance.now();
  const baseFeeds = plan.base === 'inputs' ? Object.fromEntries(base) : {};
  if (plan.base === 'initializers') base.clear();
  const tokens = ids(new Rng(1), plan.cfg.vocabSize, plan.batch, SEQ);
  const batch = { ...baseFeeds, input_ids: tokens, labels: tokens };
  const lr = { decay: 1e-4, no_decay: 1e-4 };
  let loss = (await ts.step([batch], 0, lr)).loss;
  const seconds = await medianSeconds(plan.steps, async (k) => {
    loss = (await ts.step([batch], k + 1, lr)).loss;
  });
  await ts.release();
  return {
    seconds,
    create_s: (t2 - t1) / 1000,
    init_s: (t1 - t0) / 1000,
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
    last_loss: loss,
  };
}

async function worker(req: Request): Promise<Figures> {
  const plan = PLANS[req.model];
  return req.kind === 'generate' ? generateWorker(plan, req.threads) : loraWorker(plan, req.threads);
}

const lastJson = <T>(out: string): T => JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as T;
const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;
/** The child's own stderr tail when it failed (it also went to ours). */
const failure = (e: unknown) => {
  const err = e as { stderr?: string; message?: string };
  return (err.stderr?.trim().split('\n').slice(-3).join(' | ') || err.message || String(e)).slice(0, 500);
};

function ours(req: Request): Figures {
  try {
    return lastJson<Figures>(
      execFileSync(process.execPath, ['--import', 'tsx', import.meta.filename, '--worker', JSON.stringify(req)], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
        maxBuffer: 1 << 20,
      }),
    );
  } catch (e) {
    const nan = Number.NaN;
    return { seconds: nan, create_s: nan, init_s: nan, peak_rss_mb: nan, error: failure(e) };
  }
}

type TorchFigures = Record<string, number | string> & { error?: string };

function torch(py: string, req: Request): TorchFigures {
  const plan = PLANS[req.model];
  const abc = req.kind === 'generate' ? [PROMPT, plan.newTokens, plan.genReps] : [plan.batch, SEQ, plan.steps];
  const args = [path.resolve('bench/torch/llm_bench.py'), req.model, req.kind, String(req.threads), ...abc.map(String)];
  try {
    return lastJson<TorchFigures>(
      execFileSync(py, args, {
        encoding: 'utf8',
        env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
  } catch (e) {
    return { error: failure(e) };
  }
}

async function main(): Promise<void> {
  const py = referencePython();
  if (!py) log('no reference PyTorch/transformers/peft found (set RECX_REF_PYTHON): ratios skipped');
  const result: Record<string, unknown> = { bench: 'llm', prompt_tokens: PROMPT, lora_seq: SEQ, lora: LORA };
  for (const model of MODELS) {
    const plan = PLANS[model];
    const fig: Record<string, unknown> = {
      config: plan.cfg,
      new_tokens: plan.newTokens,
      generate_reps: plan.genReps,
      lora_batch: plan.batch,
      lora_steps_timed: plan.steps,
      lora_base: plan.base,
    };
    const jobs = (['generate', 'lora'] as const).flatMap((kind) =>
      THREADS.map((threads) => ({ model, kind, threads })),
    );
    for (const req of jobs) {
      const kindTag = req.kind === 'generate' ? 'generate' : 'lora_step';
      const tag = `${kindTag}_${req.threads}t`;
      log(`${model} ${req.kind}, ${req.threads} thread(s): ours…`);
      const o = ours(req);
      if (o.error) log(`  failed: ${o.error}`);
      else
        log(`  ${o.seconds.toFixed(3)} s, create ${o.create_s.toFixed(1)} s, peak RSS ${o.peak_rss_mb.toFixed(0)} MB`);
      fig[`${tag}_s`] = round(o.seconds);
      if (o.tokens_per_s !== undefined) fig[`${tag}_tokens_per_s`] = round(o.tokens_per_s, 1);
      fig[`${tag}_create_s`] = round(o.create_s, 2);
      fig[`${tag}_peak_rss_mb`] = Math.round(o.peak_rss_mb);
      if (o.last_loss !== undefined) fig[`${tag}_last_loss`] = round(o.last_loss, 4);
      if (o.error) fig[`${tag}_error`] = o.error;
      if (!py) continue;
      log(`${model} ${req.kind}, ${req.threads} thread(s): PyTorch…`);
      const t = torch(py, req);
      if (t.error) {
        log(`  failed: ${t.error}`);
        fig[`torch_${tag}_error`] = t.error;
        continue;
      }
      const seconds = Number(req.kind === 'generate' ? t.generate_s : t.step_s);
      log(`  ${seconds.toFixed(3)} s, peak RSS ${Number(t.peak_rss_mb).toFixed(0)} MB`);
      result.torch_version = t.torch;
      result.transformers_version = t.transformers;
      result.peft_version = t.peft;
      fig[`torch_${tag}_s`] = round(seconds);
      if (t.tokens_per_s !== undefined) fig[`torch_${tag}_tokens_per_s`] = round(Number(t.tokens_per_s), 1);
      fig[`torch_${tag}_peak_rss_mb`] = Math.round(Number(t.peak_rss_mb));
      if (t.last_loss !== undefined) fig[`torch_${tag}_last_loss`] = round(Number(t.last_loss), 4);
      if (!o.error) result[`ratio_vs_torch_${kindTag}_${model}_${req.threads}t`] = round(seconds / o.seconds, 2);
    }
    result[model] = fig;
  }
  result.ratio_vs_torch = result.ratio_vs_torch_generate_tiny_1t ?? null;
  result.goals = goals(result);
  console.log(JSON.stringify(result));
}

/** The goals, each true/false (null when the figure is missing). */
function goals(r: Record<string, unknown>): Record<string, boolean | null> {
  const atLeast = (key: string, x: number) => (typeof r[key] === 'number' ? (r[key] as number) >= x : null);
  const qwen = r.qwen05b as Record<string, unknown> | undefined;
  return {
    tiny_generate_ge_3x_transformers: atLeast('ratio_vs_torch_generate_tiny_1t', 3),
    tiny_lora_step_ge_1_5x_peft: atLeast('ratio_vs_torch_lora_step_tiny_1t', 1.5),
    qwen05b_lora_step_ge_1_5x_peft: atLeast('ratio_vs_torch_lora_step_qwen05b_1t', 1.5),
    qwen05b_lora_step_runs: qwen ? Number.isFinite(qwen.lora_step_1t_s) : null,
  };
}

if (process.argv[2] === '--worker') {
  process.stdout.write(`${JSON.stringify(await worker(JSON.parse(process.argv[3])))}\n`);
} else {
  await main();
}
