/** LoRA on the Llama graph: config, PEFT-style init, merging, what trains, dropout in training only. */
import { beforeAll, describe, expect, it } from 'vitest';
import { Graph, type HostTensor } from '../../../electron/engine/graph/graph.ts';
import { GraphSession } from '../../../electron/engine/graph/session.ts';
import { TrainStep } from '../../../electron/engine/graph/train-step.ts';
import { loadPeftAdapter } from '../../../electron/engine/llm/peft-adapter.ts';
import { buildLlamaLogits, type LlamaConfig } from '../../../electron/engine/models/llama.ts';
import {
  buildLoraCausalLm,
  hfDecays,
  initLoraParams,
  type LoraConfig,
  loraCausalLmBuilder,
  loraConfig,
  loraParamShapes,
  loraScale,
  mergeLoraWeights,
} from '../../../electron/engine/models/lora.ts';
import { LORA_FIXTURES, loadLoraBase, loraLogits, maxAbsDiff } from './lora-fixtures.ts';

let llama: LlamaConfig;
let base: Map<string, HostTensor>;
beforeAll(async () => {
  ({ llama, weights: base } = await loadLoraBase());
});

const ids = (data: number[], rows = 2): HostTensor => ({
  dtype: 'int64',
  dims: [rows, data.length / rows],
  data: BigInt64Array.from(data.map(BigInt)),
});
const BATCH = {
  input_ids: ids([1, 9, 4, 33, 7, 50, 2, 11, 3, 60, 12, 8]),
  labels: ids([1, 9, 4, 33, 7, 50, 2, 11, 3, 60, 12, 8]),
};
const seed = (x: number): HostTensor => ({ dtype: 'float32', dims: [], data: Float32Array.of(x) });

describe('lora config and initialisation', () => {
  it('fills PEFT defaults, orders targets canonically and rejects bad values', () => {
    expect(loraConfig()).toEqual({ r: 8, alpha: 8, dropout: 0, targetModules: ['q_proj', 'v_proj'], rslora: false });
    expect(loraConfig({ targetModules: ['down_proj', 'q_proj', 'q_proj'] }).targetModules).toEqual([
      'q_proj',
      'down_proj',
    ]);
    expect(loraScale(loraConfig({ r: 4, alpha: 8 }))).toBe(2);
    expect(loraScale(loraConfig({ r: 4, alpha: 8, rslora: true }))).toBe(4);
    expect(() => loraConfig({ r: 0 })).toThrow(/r: /);
    expect(() => loraConfig({ dropout: 1 })).toThrow(/dropout/);
    expect(() => loraConfig({ targetModules: ['lm_head' as never] })).toThrow(/targetModules/);
  });

  it('shapes A [r, in], B [out, r] (GQA v_proj out = kv heads · head dim)', () => {
    const shapes = Object.fromEntries(loraParamShapes(loraConfig({ r: 4 }), llama).map((s) => [s.name, s.dims]));
    expect(Object.keys(shapes)).toHaveLength(8);
    expect(shapes['model.layers.0.self_attn.q_proj.lora_A.weight']).toEqual([4, 32]);
    expect(shapes['model.layers.1.self_attn.v_proj.lora_B.weight']).toEqual([16, 4]);
  });

  it('draws A ~ U(±1/√in) per tensor stream, B = 0, deterministically', () => {
    const cfg = loraConfig({ r: 4, targetModules: ['q_proj', 'down_proj'] });
    const p = initLoraParams(cfg, llama, 3);
    const a = p.get('model.layers.0.mlp.down_proj.lora_A.weight')!.data as Float32Array; // in = 48
    const bound = 1 / Math.sqrt(48);
    expect(Math.max(...a.map(Math.abs))).toBeLessThanOrEqual(bound);
    const std = Math.sqrt(a.reduce((s, x) => s + x * x, 0) / a.length);
    expect(std).toBeGreaterThan((bound / Math.sqrt(3)) * 0.8);
    expect(std).toBeLessThan((bound / Math.sqrt(3)) * 1.2);
    expect([...(p.get('model.layers.0.mlp.down_proj.lora_B.weight')!.data as Float32Array)].every((x) => x === 0)).toBe(
      true,
    );
    expect(initLoraParams(cfg, llama, 3).get('model.layers.0.mlp.down_proj.lora_A.weight')!.data).toEqual(a);
    const onlyQ = initLoraParams({ ...cfg, targetModules: ['q_proj'] }, llama, 3);
    const q = 'model.layers.1.self_attn.q_proj.lora_A.weight';
    expect(onlyQ.get(q)!.data).toEqual(p.get(q)!.data);
  });

  it('decays like HF Trainer: everything but biases and norms', () => {
    expect(hfDecays('model.layers.0.self_attn.q_proj.lora_A.weight')).toBe(true);
    expect(hfDecays('model.layers.0.self_attn.q_proj.lora_B.weight')).toBe(true);
    expect(hfDecays('lm_head.weight')).toBe(true);
    expect(hfDecays('model.layers.0.input_layernorm.weight')).toBe(false);
    expect(hfDecays('model.norm.weight')).toBe(false);
    expect(hfDecays('projector.user.0.bias')).toBe(false);
  });
});

/** Logits of the plain model on `weights` (initializers). */
async function plainLogits(weights: Map<string, HostTensor>, input: HostTensor): Promise<Float32Array> {
  const g = new Graph('plain');
  const params = Object.fromEntries([...weights].map(([k, t]) => [k, g.initializer(k, t)]));
  g.output(buildLlamaLogits(llama, params, g.input('input_ids', 'int64', ['B', 'T'])), 'logits');
  const s = await GraphSession.create(g, { providers: ['cpu'], threads: 1 });
  const out = await s.run({ input_ids: input });
  await s.release();
  return out.logits.data as Float32Array;
}

describe('merging', () => {
  it('W′ = W + s·B·A, and the merged model gives the LoRA logits (1e-5)', async () => {
    const { config, weights } = await loadPeftAdapter(`${LORA_FIXTURES}/all`, llama);
    const merged = mergeLoraWeights(config, base, weights);
    expect(merged.get('model.embed_tokens.weight')).toBe(base.get('model.embed_tokens.weight'));
    const m = 'model.layers.1.mlp.down_proj';
    const [w, a, b] = [`${m}.weight`, `${m}.lora_A.weight`, `${m}.lora_B.weight`].map(
      (k) => (base.get(k) ?? weights.get(k))!.data as Float32Array,
    );
    const [o, i, nIn] = [5, 17, 48];
    let ba = 0;
    for (let k = 0; k < 4; k++) ba += b[o * 4 + k] * a[k * nIn + i];
    expect(merged.get(`${m}.weight`)!.data[o * nIn + i]).toBeCloseTo(w[o * nIn + i] + 2 * ba, 6);
    const lora = await loraLogits(config, llama, base, weights, BATCH.input_ids);
    const err = maxAbsDiff(await plainLogits(merged, BATCH.input_ids), lora);
    expect(err).toBeLessThan(1e-5);
    expect(maxAbsDiff(await plainLogits(base, BATCH.input_ids), lora)).toBeGreaterThan(0.1);
  });
});

async function train(cfg: LoraConfig, frozen: 'initializers' | 'inputs', trainBase: string[] = []) {
  const builder = loraCausalLmBuilder(cfg, llama, {
    base: frozen === 'inputs' ? { kind: 'inputs' } : { kind: 'initializers', weights: base },
    trainBase,
    weightDecay: 0.01,
  });
  const init = new Map([...initLoraParams(cfg, llama, 1), ...trainBase.map((n) => [n, base.get(n)!] as const)]);
  const ts = await TrainStep.create(
    builder,
    { optimizer: { kind: 'adamw' }, maxGradNorm: 1, accumulation: 1, session: { providers: ['cpu'], threads: 1 } },
    init,
  );
  const before = new Map([...base].map(([k, t]) => [k, Float32Array.from(t.data as Float32Array)]));
  const feeds = frozen === 'inputs' ? Object.fromEntries(base) : {};
  const losses: number[] = [];
  for (let s = 0; s < 4; s++)
    losses.push(
      (await ts.step([{ ...BATCH, ...feeds, dropout_seed: seed(s) }], s, { decay: 1e-2, no_decay: 1e-2 })).loss,
    );
  await ts.release();
  for (const [k, t] of base) expect(t.data, k).toEqual(before.get(k));
  return { ts, init, losses };
}

describe('training', () => {
  const cfg = loraConfig({ r: 4, alpha: 8, dropout: 0.1, targetModules: ['q_proj', 'v_proj', 'up_proj'] });

  it.each(['initializers', 'inputs'] as const)(
    'base as %s: only LoRA trains; base weights unchanged',
    async (frozen) => {
      const { ts, init, losses } = await train(cfg, frozen);
      expect([...ts.params.keys()].sort()).toEqual([...init.keys()].sort());
      for (const [k, t] of ts.params) expect(t.data, k).not.toEqual(init.get(k)!.data);
      expect(losses[3]).toBeLessThan(losses[0]);
      if (frozen === 'inputs') expect(ts.batchInputNames).toContain('model.layers.0.self_attn.q_proj.weight');
    },
  );

  it('trains declared extras in their HF groups (lm_head decays, a norm does not)', async () => {
    const extras = ['lm_head.weight', 'model.norm.weight'];
    const groups = buildLoraCausalLm(cfg, llama, { base: { kind: 'inputs' }, trainBase: extras }).params;
    const groupOf = Object.fromEntries(groups.map((p) => [p.value.name, p.group.name]));
    expect(groupOf['lm_head.weight']).toBe('decay');
    expect(groupOf['model.norm.weight']).toBe('no_decay');
    expect(groupOf['model.layers.0.mlp.up_proj.lora_B.weight']).toBe('decay');
    const { ts } = await train(cfg, 'initializers', extras);
    for (const n of extras) expect(ts.params.get(n)!.data).not.toEqual(base.get(n)!.data);
    expect(ts.params.has('model.embed_tokens.weight')).toBe(false);
  });
});

describe('dropout', () => {
  async function loss(cfg: LoraConfig, train: boolean, lora: Map<string, HostTensor>, dropSeed?: number) {
    const model = buildLoraCausalLm(cfg, llama, { base: { kind: 'initializers', weights: base }, train });
    model.graph.output(model.loss, 'loss');
    const names = model.graph.inputs.map((v) => v.name);
    const s = await GraphSession.create(model.graph, { providers: ['cpu'], threads: 1 });
    const feeds = {
      ...BATCH,
      ...Object.fromEntries(lora),
      ...(dropSeed === undefined ? {} : { dropout_seed: seed(dropSeed) }),
    };
    const out = await s.run(feeds);
    await s.release();
    return { loss: Number(out.loss.data[0]), hasSeed: names.includes('dropout_seed') };
  }

  it('is applied in training only, and only to the LoRA branch', async () => {
    const cfg = loraConfig({ r: 4, alpha: 8, dropout: 0.5, targetModules: ['q_proj', 'v_proj', 'down_proj'] });
    const { weights } = await loadPeftAdapter(`${LORA_FIXTURES}/all`, llama);
    const lora = new Map([...weights].filter(([k]) => /(q_proj|v_proj|down_proj)\./.test(k)));
    const evalLoss = await loss(cfg, false, lora);
    expect(evalLoss.hasSeed).toBe(false);
    expect((await loss({ ...cfg, dropout: 0 }, true, lora)).hasSeed).toBe(false);
    const [t1, t1again, t2] = [
      await loss(cfg, true, lora, 1),
      await loss(cfg, true, lora, 1),
      await loss(cfg, true, lora, 2),
    ];
    expect(t1.hasSeed).toBe(true);
    expect(t1.loss).toBe(t1again.loss);
    expect(t1.loss).not.toBeCloseTo(t2.loss, 4);
    expect(t1.loss).not.toBeCloseTo(evalLoss.loss, 4);
    // with B = 0 the LoRA branch adds nothing: training (dropout) and evaluation agree
    const zeroB = initLoraParams(cfg, llama, 2);
    expect((await loss(cfg, true, zeroB, 1)).loss).toBeCloseTo((await loss(cfg, false, zeroB)).loss, 6);
  });
});
