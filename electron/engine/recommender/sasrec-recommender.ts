/**
 * A trained SASRec as a TargetRecommender: the user vector is the encoder's output at the last
 * (most recent) position of the left-padded history, in eval mode (no dropout); scores are dot
 * products with the item-embedding table. Parameters are graph inputs so the same session serves
 * evaluation during training (fed the current weights) and the stored model.
 */
import { Graph, type HostTensor } from '../graph/graph.ts';
import { reshape, slice } from '../graph/ops/index.ts';
import { GraphSession, type SessionSettings } from '../graph/session.ts';
import { declareParams } from '../models/layers.ts';
import { buildSasrecEncoder, type SasrecConfig, sasrecParamSpecs } from '../models/sasrec.ts';
import { ItemScorer } from './item-scorer.ts';
import type { HistoryRequest, TargetRecommender } from './types.ts';

export class SasrecEncoder {
  private constructor(
    private readonly session: GraphSession,
    readonly cfg: SasrecConfig,
  ) {}

  static async create(cfg: SasrecConfig, settings: SessionSettings = {}): Promise<SasrecEncoder> {
    const g = new Graph('sasrec_user_encoder');
    const params = declareParams(g, sasrecParamSpecs(cfg), 'float32');
    const seq = g.input('seq', 'int64', ['B', cfg.maxLen]);
    const feats = buildSasrecEncoder(cfg, params, seq, null); // [B, T, C]
    const last = slice(feats, [cfg.maxLen - 1], [cfg.maxLen], [1]); // [B, 1, C]
    g.output(reshape(last, ['B', cfg.hidden]), 'user');
    return new SasrecEncoder(await GraphSession.create(g, settings), cfg);
  }

  /** Left-padded int64 [n, maxLen] from histories (the most recent maxLen items). */
  sequences(reqs: HistoryRequest[]): HostTensor {
    const t = this.cfg.maxLen;
    const seq = new BigInt64Array(reqs.length * t);
    reqs.forEach((r, k) => {
      const h = r.history.subarray(Math.max(0, r.history.length - t));
      for (let j = 0; j < h.length; j++) seq[k * t + (t - h.length) + j] = BigInt(h[j]);
    });
    return { dtype: 'int64', dims: [reqs.length, t], data: seq };
  }

  /** User vectors [n, hidden] under the given weights. */
  async encode(params: Map<string, HostTensor>, reqs: HistoryRequest[]): Promise<Float32Array> {
    const out = await this.session.run({ ...Object.fromEntries(params), seq: this.sequences(reqs) });
    return out.user.data as Float32Array;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

export class SasrecRecommender implements TargetRecommender {
  readonly kind = 'sasrec' as const;
  readonly canScore = true;

  private constructor(
    private readonly encoder: SasrecEncoder,
    private readonly scorer: ItemScorer,
    private readonly params: Map<string, HostTensor>,
    readonly numItems: number,
    readonly dim: number,
  ) {}

  static async create(
    cfg: SasrecConfig,
    params: Map<string, HostTensor>,
    settings: SessionSettings = {},
  ): Promise<SasrecRecommender> {
    const encoder = await SasrecEncoder.create(cfg, settings);
    const table = params.get('item_emb.weight')!.data as Float32Array;
    const scorer = await ItemScorer.create(table, cfg.hidden, settings);
    return new SasrecRecommender(encoder, scorer, params, cfg.numItems, cfg.hidden);
  }

  encodeUsers(reqs: HistoryRequest[]): Promise<Float32Array> {
    return this.encoder.encode(this.params, reqs);
  }

  itemTable(): Float32Array {
    return this.params.get('item_emb.weight')!.data as Float32Array;
  }

  async scoreAll(reqs: HistoryRequest[]): Promise<Float32Array> {
    return this.scorer.score(await this.encodeUsers(reqs));
  }

  async release(): Promise<void> {
    await this.encoder.release();
    await this.scorer.release();
  }
}
