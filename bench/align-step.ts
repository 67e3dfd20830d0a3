/**
 * Benchmark: one alignment training step, as `recx align train` runs it for method I on the demo's
 * tiny LM (vocab 1299, d 128, 4 blocks, 4 heads / 2 KV heads, SwiGLU 344, tied head): LoRA r 8 on
 * all seven projections, the two projectors (d_rec 64) and the trained token embedding table, a
 * batch of 16 × 96 tokens with a <user> and five <item> slots each and a 16-token answer. It times
 * the whole step the trainer takes: batch assembly and injection (align-batches.ts), the ORT
 * forward/backward/AdamW graphs and the host-side projector and table gradients.
 * When a reference PyTorch is available (RECX_REF_PYTHON, else .ref-venv/bin/python), the same step
 * with transformers + PEFT runs in this invocation (bench/torch/align_step.py) and
 * ratio_vs_torch = PyTorch ms ÷ ours (> 1: we are faster), 1 thread each.
 * Progress on stderr; the last stdout line is one JSON object.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { AlignBatches } from '../electron/engine/align/align-batches.ts';
import { alignModelBuilder, EMBED_WEIGHT } from '../electron/engine/align/align-model.ts';
import { type EncodedExample, IGNORE_INDEX } from '../electron/engine/align/encode.ts';
import type { AlignExample } from '../electron/engine/align/example.ts';
import type { HostTensor } from '../electron/engine/graph/graph.ts';
import { TrainStep } from '../electron/engine/graph/train-step.ts';
import { initProjector, projectorTensors, SLOT_KINDS } from '../electron/engine/kernels/projector.ts';
import { initLlamaParams, type LlamaConfig } from '../electron/engine/models/llama.ts';
import { initLoraParams, LORA_TARGETS, loraConfig } from '../electron/engine/models/lora.ts';
import { Rng } from '../electron/engine/random.ts';
import { referencePython } from './reference-python.ts';

const CFG: LlamaConfig = {
  vocabSize: 1299,
  hidden: 128,
  layers: 4,
  heads: 4,
  kvHeads: 2,
  intermediate: 344,
  rmsEps: 1e-6,
  ropeTheta: 10000,
  maxPositions: 256,
  tieEmbeddings: true,
};
const SHAPE = { batch: 16, seq: 96, answer: 16, itemSlots: 5, dRec: 64, users: 1000, items: 500, loraRank: 8 };
const STEPS = Number(process.env.BENCH_STEPS ?? 30);
const log = (s: string) => process.stderr.write(`${s}\n`);

/** Fixed synthetic examples: slot positions and refs, ids and answer spans from a seeded stream. */
function examples(rng: Rng): { example: AlignExample; encoded: EncodedExample }[] {
  const { batch, seq, answer, itemSlots, users, items } = SHAPE;
  return Array.from({ length: batch }, () => {
    const ids = Array.from({ length: seq }, () => 4 + rng.int(CFG.vocabSize - 4));
    const labels = ids.map((id, t) => (t >= seq - answer ? id : IGNORE_INDEX));
    const slots = [
      { position: 4, kind: 'user' as const, ref: rng.int(users) },
      ...Array.from({ length: itemSlots }, (_, k) => ({
        position: 20 + 10 * k,
        kind: 'item' as const,
        ref: 1 + rng.int(items),
      })),
    ];
    const encoded: EncodedExample = {
      ids,
      labels,
      slots,
      answerStart: seq - answer,
      prompt: { ids: [], slots: [] },
      droppedHistoryTitles: 0,
      cutTextTokens: 0,
    };
    return { example: { task: 1 } as AlignExample, encoded };
  });
}

const randomTable = (rng: Rng, rows: number, d: number) =>
  Float32Array.from({ length: rows * d }, () => (rng.next() * 2 - 1) * 0.5);

async function stepMs(threads: number): Promise<{ ms: number; loss: number }> {
  const rng = new Rng(7);
  const lora = loraConfig({ r: SHAPE.loraRank, alpha: 2 * SHAPE.loraRank, targetModules: [...LORA_TARGETS] });
  const base = initLlamaParams(CFG, 0);
  const table = base.get(EMBED_WEIGHT)!;
  const projectorInit = new Map(
    SLOT_KINDS.flatMap((kind) => [
      ...projectorTensors(kind, initProjector({ kind, dRec: SHAPE.dRec, dModel: CFG.hidden, seed: 1 })),
    ]),
  );
  const tableInit: [string, HostTensor][] = [
    [EMBED_WEIGHT, { ...table, data: Float32Array.from(table.data as Float32Array) }],
  ];
  const ts = await TrainStep.create(
    alignModelBuilder(lora, CFG, base, { trainEmbeddings: true }),
    {
      optimizer: { kind: 'adamw' },
      maxGradNorm: 1,
      accumulation: 1,
      external: [
        ...[...projectorInit].map(([name, t]) => ({
          name,
          dims: t.dims,
          group: { name: 'projector', weightDecay: 0 },
        })),
        ...tableInit.map(([name, t]) => ({ name, dims: t.dims, group: { name: 'embedding', weightDecay: 0 } })),
      ],
      session: { threads, providers: ['cpu'] },
    },
    new Map([...initLoraParams(lora, CFG, 1), ...projectorInit, ...tableInit]),
  );
  const batches = new AlignBatches({
    examples: examples(rng),
    batchSize: SHAPE.batch,
    seed: 1,
    table: () => ts.params.get(EMBED_WEIGHT)!.data as Float32Array,
    trainEmbeddings: 'tied',
    hidden: CFG.hidden,
    padId: 0,
    userVectors: randomTable(rng, SHAPE.users, SHAPE.dRec),
    itemTable: randomTable(rng, SHAPE.items + 1, SHAPE.dRec),
    dRec: SHAPE.dRec,
    params: () => ts.params,
  });
  const lr = Object.fromEntries(ts.groupNames.map((g) => [g, 1e-3]));
  let loss = 0;
  const step = async (s: number) => {
    const r = await ts.step(batches.microBatches(s), s, lr, (micro, out) => batches.externalGradients(micro, out));
    loss = r.loss;
  };
  for (let s = 0; s < 3; s++) await step(s);
  const t0 = performance.now();
  for (let s = 3; s < 3 + STEPS; s++) await step(s);
  const ms = (performance.now() - t0) / STEPS;
  await ts.release();
  return { ms, loss };
}

function torchFigures(py: string, threads: number) {
  const out = execFileSync(
    py,
    [path.resolve('bench/torch/align_step.py'), String(threads), String(STEPS), JSON.stringify({ ...CFG, ...SHAPE })],
    { encoding: 'utf8', env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' } },
  );
  return JSON.parse(out.trim().split('\n').at(-1)!) as {
    torch: string;
    transformers: string;
    peft: string;
    step_ms: number;
  };
}

const round = (x: number) => Math.round(x * 100) / 100;
const tokens = SHAPE.batch * SHAPE.seq;
const result: Record<string, unknown> = { bench: 'align-step', config: { ...CFG, ...SHAPE, method: 'I' } };
for (const threads of [1, 2]) {
  log(`alignment step, ${threads} thread(s), ${STEPS} steps…`);
  const { ms, loss } = await stepMs(threads);
  log(`  ${ms.toFixed(1)} ms/step (loss ${loss.toFixed(3)})`);
  result[`step_ms_${threads}t`] = round(ms);
  result[`tokens_per_s_${threads}t`] = Math.round(tokens / (ms / 1000));
}
const py = referencePython();
if (py) {
  for (const threads of [1, 2]) {
    log(`PyTorch + PEFT reference, ${threads} thread(s)…`);
    const t = torchFigures(py, threads);
    log(`  ${t.step_ms.toFixed(1)} ms/step`);
    Object.assign(result, { torch_version: t.torch, transformers_version: t.transformers, peft_version: t.peft });
    result[`torch_step_ms_${threads}t`] = round(t.step_ms);
    result[`ratio_vs_torch_${threads}t`] = round(t.step_ms / (result[`step_ms_${threads}t`] as number));
  }
  result.ratio_vs_torch = result.ratio_vs_torch_1t;
} else {
  log('no reference PyTorch found (set RECX_REF_PYTHON): ratios skipped');
}
console.log(JSON.stringify(result));
