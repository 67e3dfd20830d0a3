/**
 * Scores = user vectors · item tableᵀ as one ORT graph with the table as an initializer (ORT
 * pre-packs it once), row 0 (padding) forced to −Infinity. Used for evaluation and exports of
 * every embedding-based recommender.
 */
import { Graph } from '../graph/graph.ts';
import { matmul, transposeLast2 } from '../graph/ops/index.ts';
import { GraphSession, type SessionSettings } from '../graph/session.ts';

export class ItemScorer {
  private constructor(
    private readonly session: GraphSession,
    readonly numItems: number,
    readonly dim: number,
    /** Set when the table is a graph input (it changes, e.g. while training). */
    private readonly tableDims: number[] | null = null,
  ) {}

  /** A scorer whose table is passed to each score() call (evaluation during training). */
  static async createDynamic(rows: number, dim: number, settings: SessionSettings = {}): Promise<ItemScorer> {
    const g = new Graph('item_scorer_dynamic');
    const users = g.input('users', 'float32', ['B', dim]);
    const items = g.input('item_table', 'float32', [rows, dim]);
    g.output(matmul(users, transposeLast2(items)), 'scores'); // [B, N+1]
    return new ItemScorer(await GraphSession.create(g, settings), rows - 1, dim, [rows, dim]);
  }

  /** `table` is row-major [numItems + 1, dim]. */
  static async create(table: Float32Array, dim: number, settings: SessionSettings = {}): Promise<ItemScorer> {
    const rows = table.length / dim;
    if (!Number.isInteger(rows))
      throw new Error(`item table of ${table.length} values is not a multiple of dim ${dim}`);
    const g = new Graph('item_scorer');
    const users = g.input('users', 'float32', ['B', dim]);
    const items = g.initializer('item_table', { dtype: 'float32', dims: [rows, dim], data: table });
    g.output(matmul(users, transposeLast2(items)), 'scores'); // [B, N+1]
    return new ItemScorer(await GraphSession.create(g, settings), rows - 1, dim);
  }

  /** Scores [n, numItems + 1] for n user vectors (row-major [n, dim]). */
  async score(users: Float32Array, table?: Float32Array): Promise<Float32Array> {
    const n = users.length / this.dim;
    const feeds: Parameters<GraphSession['run']>[0] = { users: { dtype: 'float32', dims: [n, this.dim], data: users } };
    if (this.tableDims) {
      if (!table) throw new Error('this scorer needs the item table with every call');
      feeds.item_table = { dtype: 'float32', dims: this.tableDims, data: table };
    }
    const out = await this.session.run(feeds);
    const scores = out.scores.data as Float32Array;
    for (let r = 0; r < n; r++) scores[r * (this.numItems + 1)] = Number.NEGATIVE_INFINITY;
    return scores;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
