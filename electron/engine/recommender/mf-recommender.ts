/**
 * A trained MF model as a TargetRecommender: the user vector is the user's embedding row (it does
 * not depend on the history, so every anchor of a user gets the same vector), scores are dot
 * products with the item table.
 */
import type { HostTensor } from '../graph/graph.ts';
import { ItemScorer } from './item-scorer.ts';
import type { HistoryRequest, TargetRecommender } from './types.ts';

/** The users' embedding rows, row-major [reqs.length, dim]. */
export function userRows(table: Float32Array, dim: number, reqs: HistoryRequest[]): Float32Array {
  const out = new Float32Array(reqs.length * dim);
  for (const [k, r] of reqs.entries()) out.set(table.subarray(r.user * dim, (r.user + 1) * dim), k * dim);
  return out;
}

export class MfRecommender implements TargetRecommender {
  readonly kind = 'mf' as const;
  readonly canScore = true;

  private constructor(
    private readonly users: Float32Array,
    private readonly items: Float32Array,
    private readonly scorer: ItemScorer,
    readonly numItems: number,
    readonly dim: number,
  ) {}

  static async create(params: Map<string, HostTensor>): Promise<MfRecommender> {
    const users = params.get('user_emb.weight')!;
    const items = params.get('item_emb.weight')!;
    const dim = items.dims[1];
    const scorer = await ItemScorer.create(items.data as Float32Array, dim);
    return new MfRecommender(users.data as Float32Array, items.data as Float32Array, scorer, items.dims[0] - 1, dim);
  }

  async encodeUsers(reqs: HistoryRequest[]): Promise<Float32Array> {
    return userRows(this.users, this.dim, reqs);
  }

  itemTable(): Float32Array {
    return this.items;
  }

  async scoreAll(reqs: HistoryRequest[]): Promise<Float32Array> {
    return this.scorer.score(await this.encodeUsers(reqs));
  }

  async release(): Promise<void> {
    await this.scorer.release();
  }
}
