/**
 * SASRec (Kang & McAuley 2018) as an emitted graph: item + learned position embeddings, L blocks of
 * causal multi-head self-attention and a point-wise FFN, final LayerNorm; and the original sampled
 * BCE loss (one negative per position). Checked against a plain PyTorch module by
 * tests/unit/graph/models-vs-torch.test.ts (tests/fixtures/gen_graph_fixtures.py).
 *
 * Semantics (as the original TF code and pmixer/SASRec.pytorch):
 * - sequences are left-padded with item 0; item_emb row 0 is the padding row;
 * - x = item_emb[seq]·√C + pos_emb[0…T−1], then dropout and the timeline mask (padded positions
 *   zeroed), which is applied again after every block;
 * - attention is causal and also ignores padded keys (the TF original's key masking);
 * - norm 'pre' is the original block: q = LN1(x); x = q + MHA(q, x, x); h = LN2(x); x = h + FFN(h)
 *   (residuals add to the normalised values, as in the paper's code); norm 'post' is the standard
 *   x = LN1(x + MHA(x, x, x)); x = LN2(x + FFN(x));
 * - dropout (inverted) after the embedding, on the attention output, after the FFN activation and
 *   on the FFN output (torch's MultiheadAttention drops attention probabilities instead).
 *
 * Shapes: B batch, T time (≤ maxLen), C hidden, H heads, D = C/H, F FFN width, N = numItems + 1.
 */
import { InputError } from '../errors.ts';
import { Graph, type HostTensor, type Value } from '../graph/graph.ts';
import * as op from '../graph/ops/index.ts';
import type { ModelBuilder, TrainableModel } from '../graph/train-step.ts';
import {
  declareParams,
  type FloatDType,
  initParams,
  linear,
  mergeHeads,
  type ParamSpec,
  paramGroups,
  positionIds,
  splitHeads,
} from './layers.ts';

export interface SasrecConfig {
  numItems: number;
  hidden: number;
  blocks: number;
  heads: number;
  maxLen: number;
  /** FFN inner width; hidden when absent (the original's Conv1d(C, C, 1) pair). */
  ffnHidden?: number;
  activation: 'relu' | 'gelu';
  norm: 'pre' | 'post';
  dropout: number;
  /** LayerNorm epsilon (the original uses 1e-8). */
  lnEps?: number;
}

export function validateSasrecConfig(cfg: SasrecConfig): void {
  for (const k of ['numItems', 'hidden', 'blocks', 'heads', 'maxLen'] as const) {
    if (!Number.isInteger(cfg[k]) || cfg[k] <= 0)
      throw new InputError(`sasrec config: ${k} must be a positive integer, got ${cfg[k]}`);
  }
  if (cfg.hidden % cfg.heads !== 0)
    throw new InputError(`sasrec config: hidden ${cfg.hidden} must be a multiple of heads ${cfg.heads}`);
  if (!(cfg.dropout >= 0 && cfg.dropout < 1)) throw new InputError(`sasrec config: dropout must be in [0, 1)`);
}

/** Every parameter, [out, in] linear layouts like torch.nn.Linear. */
export function sasrecParamSpecs(cfg: SasrecConfig): ParamSpec[] {
  validateSasrecConfig(cfg);
  const c = cfg.hidden;
  const f = cfg.ffnHidden ?? c;
  // Xavier-normal std for a [out, in] matrix (the pmixer implementation's init).
  const xavier = (name: string, dims: number[], zeroRows?: number[]): ParamSpec => ({
    name,
    dims,
    decay: true,
    init: { kind: 'normal', std: Math.sqrt(2 / (dims[0] + dims[1])), zeroRows },
  });
  const vec = (name: string, n: number, value: number): ParamSpec => ({
    name,
    dims: [n],
    decay: false,
    init: { kind: 'constant', value },
  });
  const ln = (name: string) => [vec(`${name}.weight`, c, 1), vec(`${name}.bias`, c, 0)];
  const specs: ParamSpec[] = [
    xavier('item_emb.weight', [cfg.numItems + 1, c], [0]),
    xavier('pos_emb.weight', [cfg.maxLen, c]),
  ];
  for (let i = 0; i < cfg.blocks; i++) {
    const p = `blocks.${i}`;
    specs.push(...ln(`${p}.ln1`));
    for (const m of ['q', 'k', 'v', 'out'])
      specs.push(xavier(`${p}.attn.${m}.weight`, [c, c]), vec(`${p}.attn.${m}.bias`, c, 0));
    specs.push(...ln(`${p}.ln2`));
    specs.push(xavier(`${p}.ffn.fc1.weight`, [f, c]), vec(`${p}.ffn.fc1.bias`, f, 0));
    specs.push(xavier(`${p}.ffn.fc2.weight`, [c, f]), vec(`${p}.ffn.fc2.bias`, c, 0));
  }
  specs.push(...ln('final_ln'));
  return specs;
}

/** Deterministic initial weights (xavier-normal matrices, padding row 0 zero, LN = 1/0, biases 0). */
export function initSasrecParams(
  cfg: SasrecConfig,
  seed: number,
  dtype: FloatDType = 'float32',
): Map<string, HostTensor> {
  return initParams(sasrecParamSpecs(cfg), seed, dtype);
}

export type SasrecParams = Record<string, Value>;

/**
 * Sequence features [B, T, C] from int64 item ids `seq` [B, T] (0 = padding, T ≤ maxLen); the
 * user embedding is the last position's row. `dropoutSeed` null (evaluation) disables dropout.
 */
export function buildSasrecEncoder(
  cfg: SasrecConfig,
  params: SasrecParams,
  seq: Value,
  dropoutSeed: Value | null,
): Value {
  const itemEmb = params['item_emb.weight'];
  const dtype = itemEmb.dtype as FloatDType;
  const c = cfg.hidden;
  const dh = c / cfg.heads;
  const eps = cfg.lnEps ?? 1e-8;
  let site = 0;
  const drop = (x: Value) => op.dropout(x, cfg.dropout, dropoutSeed, site++);
  const keep = op.unsqueeze(op.keepMask(seq, 0, dtype), [2]); // [B, T, 1]
  const mask = op.add(op.causalMask(keep, 1), op.paddingMask(seq, 0, dtype)); // [B, 1, T, T]
  const ln = (x: Value, name: string) => op.layerNorm(x, params[`${name}.weight`], params[`${name}.bias`], eps);
  const lin = (x: Value, name: string) => linear(x, params[`${name}.weight`], params[`${name}.bias`]);
  const mha = (i: number, q: Value, kv: Value) => {
    const heads = (x: Value, m: string) => splitHeads(lin(x, `blocks.${i}.attn.${m}`), cfg.heads, dh); // [B, H, T, D]
    const a = op.attention(heads(q, 'q'), heads(kv, 'k'), heads(kv, 'v'), mask, 1 / Math.sqrt(dh)); // [B, H, T, D]
    return drop(lin(mergeHeads(a), `blocks.${i}.attn.out`)); // [B, T, C]
  };
  const ffn = (i: number, x: Value) => {
    const h = lin(x, `blocks.${i}.ffn.fc1`); // [B, T, F]
    const act = drop(cfg.activation === 'gelu' ? op.gelu(h) : op.relu(h));
    return drop(lin(act, `blocks.${i}.ffn.fc2`)); // [B, T, C]
  };
  const pos = op.gather(params['pos_emb.weight'], positionIds(seq)); // [1, T, C]
  let x = op.add(op.mul(op.gather(itemEmb, seq), Math.sqrt(c)), pos); // [B, T, C]
  x = op.mul(drop(x), keep);
  for (let i = 0; i < cfg.blocks; i++) {
    if (cfg.norm === 'pre') {
      const q = ln(x, `blocks.${i}.ln1`); // [B, T, C]
      x = op.add(q, mha(i, q, x)); // queries from LN(x), keys/values from x
      const h = ln(x, `blocks.${i}.ln2`);
      x = op.add(h, ffn(i, h)); // [B, T, C]
    } else {
      x = ln(op.add(x, mha(i, x, x)), `blocks.${i}.ln1`); // [B, T, C]
      x = ln(op.add(x, ffn(i, x)), `blocks.${i}.ln2`);
    }
    x = op.mul(x, keep); // timeline mask
  }
  return ln(x, 'final_ln'); // [B, T, C]
}

/**
 * The original sampled loss: BCE(⟨f_t, e_pos_t⟩, 1) + BCE(⟨f_t, e_neg_t⟩, 0), each a mean over the
 * positions where pos ≠ 0. `feats` [B, T, C]; `pos`, `neg` int64 [B, T].
 */
export function sasrecBceLoss(feats: Value, itemEmb: Value, pos: Value, neg: Value): Value {
  const g = feats.graph;
  const dt = feats.dtype;
  const score = (items: Value) => op.reduceSum(op.mul(feats, op.gather(itemEmb, items)), [-1]); // [B, T]
  const weights = op.keepMask(pos, 0, dt as FloatDType); // [B, T]
  const posLoss = op.bceWithLogits(score(pos), g.scalar(1, dt), weights);
  const negLoss = op.bceWithLogits(score(neg), g.scalar(0, dt), weights);
  return op.add(posLoss, negLoss);
}

export interface SasrecGraphOptions {
  dtype?: FloatDType;
  /** AdamW weight decay of matrices and embeddings (LayerNorms and biases never decay). Default 0.01. */
  weightDecay?: number;
}

/**
 * The training graph: inputs `seq`, `pos`, `neg` (int64 [B, T]), every parameter, and when `train`
 * (and dropout > 0) the float32 scalar `dropout_seed` the Trainer feeds.
 */
export function buildSasrecBce(cfg: SasrecConfig, train: boolean, opts: SasrecGraphOptions = {}): TrainableModel {
  const g = new Graph('sasrec_bce');
  const dtype = opts.dtype ?? 'float32';
  const specs = sasrecParamSpecs(cfg);
  const params = declareParams(g, specs, dtype);
  const seq = g.input('seq', 'int64', ['B', 'T']);
  const pos = g.input('pos', 'int64', ['B', 'T']);
  const neg = g.input('neg', 'int64', ['B', 'T']);
  const seed = train && cfg.dropout > 0 ? g.input('dropout_seed', 'float32', []) : null;
  const feats = buildSasrecEncoder(cfg, params, seq, seed);
  const loss = sasrecBceLoss(feats, params['item_emb.weight'], pos, neg);
  return { graph: g, loss, params: paramGroups(specs, params, opts.weightDecay ?? 0.01) };
}

/** A ModelBuilder for TrainStep.create. */
export function sasrecBceBuilder(cfg: SasrecConfig, opts: SasrecGraphOptions = {}): ModelBuilder {
  return ({ train }) => buildSasrecBce(cfg, train, opts);
}
