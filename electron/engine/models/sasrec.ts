/**
 * SASRec (Kang & McAuley 2018) as an emitted graph: item + learned position embeddings, L blocks of
 * causal multi-head self-attention and a point-wise FFN, final LayerNorm; training graphs with the
 * original sampled BCE loss or UniRec's full-softmax cross-entropy (sasrec-losses.ts), and a
 * forward-only user encoder over frozen weights. Checked against a plain PyTorch module by
 * tests/unit/graph/models-vs-torch.test.ts and tests/unit/models/recommender-vs-torch.test.ts
 * (tests/fixtures/gen_graph_fixtures.py).
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
 *   on the FFN output (torch's MultiheadAttention drops attention probabilities instead);
 * - FFN activation relu (the original), gelu (exact erf) or swish = SiLU (UniRec, the paper's preset);
 * - the user embedding is the last position's feature: sequences are left-padded, so that is the
 *   most recent item.
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
import { sasrecBceLoss, sasrecCeLoss } from './sasrec-losses.ts';

export type SasrecActivation = 'relu' | 'gelu' | 'swish';
const ACTIVATIONS: Record<SasrecActivation, (x: Value) => Value> = {
  relu: op.relu,
  gelu: (x) => op.gelu(x),
  swish: op.silu,
};

export interface SasrecConfig {
  numItems: number;
  hidden: number;
  blocks: number;
  heads: number;
  maxLen: number;
  /** FFN inner width; hidden when absent (the original's Conv1d(C, C, 1) pair). */
  ffnHidden?: number;
  activation: SasrecActivation;
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
  if (!Object.hasOwn(ACTIVATIONS, cfg.activation))
    throw new InputError(`sasrec config: activation must be relu, gelu or swish, got ${cfg.activation}`);
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
  // One head (the original's setting): [B, T, C] ↔ [B, 1, T, C] is a reshape, not a transpose.
  const split = (x: Value) => (cfg.heads === 1 ? op.unsqueeze(x, [1]) : splitHeads(x, cfg.heads, dh));
  const merge = (a: Value) => (cfg.heads === 1 ? op.squeeze(a, [1]) : mergeHeads(a));
  const mha = (i: number, q: Value, kv: Value) => {
    const heads = (x: Value, m: string) => split(lin(x, `blocks.${i}.attn.${m}`)); // [B, H, T, D]
    const a = op.attention(heads(q, 'q'), heads(kv, 'k'), heads(kv, 'v'), mask, 1 / Math.sqrt(dh)); // [B, H, T, D]
    return drop(lin(merge(a), `blocks.${i}.attn.out`)); // [B, T, C]
  };
  const ffn = (i: number, x: Value) => {
    const h = lin(x, `blocks.${i}.ffn.fc1`); // [B, T, F]
    const act = drop(ACTIVATIONS[cfg.activation](h));
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

export interface SasrecGraphOptions {
  dtype?: FloatDType;
  /** AdamW weight decay of matrices and embeddings (LayerNorms and biases never decay). Default 0.01. */
  weightDecay?: number;
}

/** Inputs: parameters, `seq`, the int64 [B, T] `targets`, and `dropout_seed` when `train` and dropout > 0. */
function sasrecTrainingGraph(
  name: string,
  cfg: SasrecConfig,
  train: boolean,
  opts: SasrecGraphOptions,
  targets: string[],
  loss: (feats: Value, itemEmb: Value, targets: Value[]) => Value,
): TrainableModel {
  const g = new Graph(name);
  const specs = sasrecParamSpecs(cfg);
  const params = declareParams(g, specs, opts.dtype ?? 'float32');
  const seq = g.input('seq', 'int64', ['B', 'T']);
  const targetValues = targets.map((t) => g.input(t, 'int64', ['B', 'T']));
  const seed = train && cfg.dropout > 0 ? g.input('dropout_seed', 'float32', []) : null;
  const feats = buildSasrecEncoder(cfg, params, seq, seed); // [B, T, C]
  return {
    graph: g,
    loss: loss(feats, params['item_emb.weight'], targetValues),
    params: paramGroups(specs, params, opts.weightDecay ?? 0.01),
  };
}

/**
 * The original training graph (sampled BCE): inputs `seq`, `pos`, `neg` (int64 [B, T]), every
 * parameter, and when `train` (and dropout > 0) the float32 scalar `dropout_seed` the Trainer feeds.
 */
export function buildSasrecBce(cfg: SasrecConfig, train: boolean, opts: SasrecGraphOptions = {}): TrainableModel {
  return sasrecTrainingGraph('sasrec_bce', cfg, train, opts, ['pos', 'neg'], (feats, itemEmb, [pos, neg]) =>
    sasrecBceLoss(feats, itemEmb, pos, neg),
  );
}

/** A ModelBuilder for TrainStep.create. */
export function sasrecBceBuilder(cfg: SasrecConfig, opts: SasrecGraphOptions = {}): ModelBuilder {
  return ({ train }) => buildSasrecBce(cfg, train, opts);
}

/**
 * UniRec's training graph (full-softmax cross-entropy over all items): inputs `seq` and `labels`
 * (int64 [B, T], labels = next items, 0 at padded positions), parameters and `dropout_seed` as BCE.
 */
export function buildSasrecCe(cfg: SasrecConfig, train: boolean, opts: SasrecGraphOptions = {}): TrainableModel {
  return sasrecTrainingGraph('sasrec_ce', cfg, train, opts, ['labels'], (feats, itemEmb, [labels]) =>
    sasrecCeLoss(feats, itemEmb, labels),
  );
}

/** A ModelBuilder for TrainStep.create. */
export function sasrecCeBuilder(cfg: SasrecConfig, opts: SasrecGraphOptions = {}): ModelBuilder {
  return ({ train }) => buildSasrecCe(cfg, train, opts);
}

/**
 * Forward-only user encoder over frozen `weights` (initializers, so ORT pre-packs them; their
 * dtype is the graph's): input `seq` int64 [B, T] (left-padded, T ≤ maxLen) → output `user` [B, C],
 * the last position's feature. No dropout.
 */
export function buildSasrecUserEncoder(cfg: SasrecConfig, weights: Map<string, HostTensor>): Graph {
  const g = new Graph('sasrec_user_encoder');
  const params: SasrecParams = {};
  for (const s of sasrecParamSpecs(cfg)) {
    const t = weights.get(s.name);
    if (!t) throw new InputError(`sasrec weights: missing ${s.name}`);
    if (t.dims.join(',') !== s.dims.join(','))
      throw new InputError(`sasrec weights: ${s.name} has shape [${t.dims}], the config needs [${s.dims}]`);
    params[s.name] = g.initializer(s.name, t);
  }
  const seq = g.input('seq', 'int64', ['B', 'T']);
  const feats = buildSasrecEncoder(cfg, params, seq, null); // [B, T, C]
  const last = g.constant(BigInt64Array.of(-1n), 'int64', [], 'last_position');
  g.output(op.gather(feats, last, 1), 'user'); // [B, C]
  return g;
}
