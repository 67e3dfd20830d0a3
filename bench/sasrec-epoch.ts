/**
 * Benchmark: one training epoch of SASRec with the `sasrec-original` settings (d 64, 2 blocks,
 * 1 head, pre-LN, dropout 0.2, BCE with one sampled negative per position, Adam lr 1e-3 = AdamW
 * without weight decay, no clipping, batch 128) on a MovieLens-100k-sized synthetic dataset (943
 * users × 1,682 items, ~100k interactions, Zipf item popularity), at max length 50 and 200.
 *
 * An epoch is one training sequence per user (the original's sampler): the training part is all but
 * the last two items (validation, test); seq = its last maxLen items but one, targets the next items.
 * The epoch's batches (user order, negatives) are drawn once here and written to a temp folder, so
 * our engine (TrainStep, in a child process per thread count, so peak RSS is its own) and the
 * PyTorch reference (bench/torch/sasrec_epoch.py, the same model written plainly) train on the same
 * batches. Timed: BENCH_EPOCHS epochs after one warm-up epoch; compile/model build excluded and
 * reported separately. Target (issue #4): ours ≤ 0.5× PyTorch's time, i.e. ratio_vs_torch ≥ 2.
 * Progress on stderr; the last stdout line is one JSON object.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { HostTensor } from '../electron/engine/graph/graph.ts';
import { TrainStep } from '../electron/engine/graph/train-step.ts';
import { initSasrecParams, type SasrecConfig, sasrecBceBuilder } from '../electron/engine/models/sasrec.ts';
import { Rng } from '../electron/engine/random.ts';
import { referencePython } from './reference-python.ts';
import { zipfSampler } from './zipf.ts';

const USERS = 943;
const ITEMS = 1682;
const BATCH = 128;
const EPOCHS = Number(process.env.BENCH_EPOCHS ?? 3);
const MAX_LENS = (process.env.BENCH_MAXLENS ?? '50,200').split(',').map(Number);
const THREADS = [1, 2];
const OPT = { lr: 1e-3, beta1: 0.9, beta2: 0.98, eps: 1e-8 }; // the original's Adam betas
const log = (s: string) => process.stderr.write(`${s}\n`);

const config = (maxLen: number): SasrecConfig => ({
  numItems: ITEMS,
  hidden: 64,
  blocks: 2,
  heads: 1,
  maxLen,
  activation: 'relu',
  norm: 'pre',
  dropout: 0.2,
});

/** Per-user histories: 20 + Exp(mean 86) items (ML-100k: ≥ 20 each, mean ~106), Zipf(0.9) items, no repeats. */
function histories(rng: Rng): Uint16Array[] {
  const draw = zipfSampler(rng, ITEMS, 0.9);
  return Array.from({ length: USERS }, () => {
    const n = Math.min(ITEMS - 1, 20 + Math.floor(-Math.log(1 - rng.next()) * 86));
    const seen = new Set<number>();
    while (seen.size < n) seen.add(draw());
    return rng.shuffle(Uint16Array.from(seen));
  });
}

/** The epoch's rows in training order: seq, pos, neg int64 [USERS, maxLen] (left-padded). */
function epochRows(hist: Uint16Array[], maxLen: number, rng: Rng): Record<'seq' | 'pos' | 'neg', BigInt64Array> {
  const rows = {
    seq: new BigInt64Array(USERS * maxLen),
    pos: new BigInt64Array(USERS * maxLen),
    neg: new BigInt64Array(USERS * maxLen),
  };
  const order = rng.shuffle(Uint32Array.from({ length: USERS }, (_, k) => k));
  order.forEach((u, r) => {
    const train = hist[u].subarray(0, hist[u].length - 2);
    const seen = new Set(train);
    let at = maxLen - 1;
    for (let p = train.length - 1; p > 0 && at >= 0; p--, at--) {
      rows.seq[r * maxLen + at] = BigInt(train[p - 1]);
      rows.pos[r * maxLen + at] = BigInt(train[p]);
      let j: number;
      do j = 1 + rng.int(ITEMS);
      while (seen.has(j));
      rows.neg[r * maxLen + at] = BigInt(j);
    }
  });
  return rows;
}

function readRows(dir: string, name: string): BigInt64Array {
  const buf = readFileSync(path.join(dir, `${name}.bin`));
  return new BigInt64Array(buf.buffer, buf.byteOffset, buf.byteLength / 8);
}

interface EpochFigures {
  seconds_per_epoch: number;
  compile_s: number;
  peak_rss_mb: number;
  last_loss: number;
}

/** Child process: compile, one warm-up epoch, then EPOCHS timed epochs. */
async function worker(req: { dir: string; maxLen: number; threads: number; epochs: number }): Promise<EpochFigures> {
  const cfg = config(req.maxLen);
  const all = Object.fromEntries(['seq', 'pos', 'neg'].map((k) => [k, readRows(req.dir, k)]));
  const batches: Record<string, HostTensor>[] = [];
  for (let start = 0; start < USERS; start += BATCH) {
    const b = Math.min(BATCH, USERS - start);
    const part = (k: string) => ({
      dtype: 'int64' as const,
      dims: [b, req.maxLen],
      data: all[k].slice(start * req.maxLen, (start + b) * req.maxLen),
    });
    batches.push({ seq: part('seq'), pos: part('pos'), neg: part('neg') });
  }
  const t0 = performance.now();
  const ts = await TrainStep.create(
    sasrecBceBuilder(cfg, { weightDecay: 0 }),
    {
      optimizer: { kind: 'adamw', beta1: OPT.beta1, beta2: OPT.beta2, eps: OPT.eps },
      maxGradNorm: 0,
      accumulation: 1,
      session: { threads: req.threads, providers: ['cpu'] },
    },
    initSasrecParams(cfg, 0),
  );
  const compile = (performance.now() - t0) / 1000;
  const lr = { decay: OPT.lr, no_decay: OPT.lr };
  let step = 0;
  let loss = 0;
  const epoch = async () => {
    for (const b of batches) {
      const seed: HostTensor = { dtype: 'float32', dims: [], data: Float32Array.of(step + 1) };
      loss = (await ts.step([{ ...b, dropout_seed: seed }], step++, lr)).loss;
    }
  };
  await epoch();
  const t1 = performance.now();
  for (let e = 0; e < req.epochs; e++) await epoch();
  const seconds = (performance.now() - t1) / 1000 / req.epochs;
  await ts.release();
  return {
    seconds_per_epoch: seconds,
    compile_s: compile,
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
    last_loss: loss,
  };
}

const lastJson = <T>(out: string): T => JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as T;
const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

async function main(): Promise<void> {
  const hist = histories(new Rng(1));
  const interactions = hist.reduce((n, h) => n + h.length, 0);
  const py = referencePython();
  if (!py) log('no reference PyTorch found (set RECX_REF_PYTHON): ratios skipped');
  const result: Record<string, unknown> = {
    bench: 'sasrec-epoch',
    dataset: { users: USERS, items: ITEMS, interactions },
    config: {
      ...config(MAX_LENS[0]),
      maxLen: MAX_LENS,
      batch: BATCH,
      steps_per_epoch: Math.ceil(USERS / BATCH),
      ...OPT,
    },
    epochs_timed: EPOCHS,
  };
  const dir = mkdtempSync(path.join(tmpdir(), 'recx-sasrec-epoch-'));
  try {
    for (const maxLen of MAX_LENS) {
      const rows = epochRows(hist, maxLen, new Rng(2).fork(`epoch-${maxLen}`));
      for (const [k, v] of Object.entries(rows)) writeFileSync(path.join(dir, `${k}.bin`), new Uint8Array(v.buffer));
      const fig: Record<string, unknown> = {};
      for (const threads of THREADS) {
        log(`maxLen ${maxLen}: ours, ${threads} thread(s)…`);
        const req = JSON.stringify({ dir, maxLen, threads, epochs: EPOCHS });
        const ours = lastJson<EpochFigures>(
          execFileSync(process.execPath, ['--import', 'tsx', import.meta.filename, '--worker', req], {
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'inherit'],
          }),
        );
        log(
          `  ${ours.seconds_per_epoch.toFixed(3)} s/epoch, compile ${ours.compile_s.toFixed(2)} s, peak RSS ${ours.peak_rss_mb.toFixed(0)} MB`,
        );
        fig[`seconds_per_epoch_${threads}t`] = round(ours.seconds_per_epoch);
        fig[`compile_s_${threads}t`] = round(ours.compile_s, 2);
        fig[`peak_rss_mb_${threads}t`] = Math.round(ours.peak_rss_mb);
        fig[`last_loss_${threads}t`] = round(ours.last_loss, 4);
        if (!py) continue;
        log(`maxLen ${maxLen}: PyTorch, ${threads} thread(s)…`);
        const args = [
          path.resolve('bench/torch/sasrec_epoch.py'),
          dir,
          String(maxLen),
          String(threads),
          String(EPOCHS),
        ];
        const t = lastJson<EpochFigures & { torch: string }>(
          execFileSync(py, args, { encoding: 'utf8', env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' } }),
        );
        log(`  ${t.seconds_per_epoch.toFixed(3)} s/epoch, peak RSS ${t.peak_rss_mb.toFixed(0)} MB`);
        result.torch_version = t.torch;
        fig[`torch_seconds_per_epoch_${threads}t`] = round(t.seconds_per_epoch);
        fig[`torch_peak_rss_mb_${threads}t`] = Math.round(t.peak_rss_mb);
        fig[`torch_last_loss_${threads}t`] = round(t.last_loss, 4);
        fig[`ratio_vs_torch_${threads}t`] = round(t.seconds_per_epoch / ours.seconds_per_epoch, 2);
      }
      result[`maxlen_${maxLen}`] = fig;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const first = result[`maxlen_${MAX_LENS[0]}`] as Record<string, unknown>;
  if (py) result.ratio_vs_torch = first.ratio_vs_torch_1t;
  console.log(JSON.stringify(result));
}

if (process.argv[2] === '--worker') {
  process.stdout.write(`${JSON.stringify(await worker(JSON.parse(process.argv[3])))}\n`);
} else {
  await main();
}
