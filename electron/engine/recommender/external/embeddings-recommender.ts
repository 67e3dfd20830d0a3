/**
 * Precomputed embeddings as a TargetRecommender: a user's vector is looked up (per user, or at the
 * anchor given by the history length), scores = user vectors · item tableᵀ (ItemScorer).
 */
import type { RecommenderManifest } from '../../../contracts/recommender.ts';
import { InputError } from '../../errors.ts';
import type { HostTensor } from '../../graph/graph.ts';
import { loadSafetensors } from '../../graph/safetensors.ts';
import type { SessionSettings } from '../../graph/session.ts';
import { ItemScorer } from '../item-scorer.ts';
import type { HistoryRequest, TargetRecommender } from '../types.ts';
import { EMBEDDING_TENSORS, type EmbeddingsDetails, embeddingsDetailsSchema } from './embeddings-import.ts';
import { assertDatasetMatches, parseDetails, recommenderPath } from './recommender-folder.ts';

/** Per-user vectors ([users + 1, d], anchors = 1, all present) or per-anchor ([users + 1, A, d]). */
export interface UserTable {
  vectors: Float32Array;
  anchors: number;
  present: Uint8Array;
  perAnchor: boolean;
}

function anchorList(present: Uint8Array, from: number, count: number): string {
  const have: number[] = [];
  for (let a = 0; a < count; a++) if (present[from + a]) have.push(a);
  if (have.length === 0) return 'none';
  const shown = have.slice(0, 10).join(', ');
  return have.length > 10 ? `${shown}, … (${have.length} in all)` : shown;
}

export class EmbeddingsRecommender implements TargetRecommender {
  readonly kind = 'embeddings' as const;
  readonly canScore = true;
  private scorer: ItemScorer | null = null;

  constructor(
    private readonly users: UserTable,
    private readonly table: Float32Array,
    readonly numItems: number,
    readonly numUsers: number,
    readonly dim: number,
    private readonly settings: SessionSettings = {},
  ) {}

  async encodeUsers(reqs: HistoryRequest[]): Promise<Float32Array> {
    const { vectors, anchors, present, perAnchor } = this.users;
    const d = this.dim;
    const out = new Float32Array(reqs.length * d);
    reqs.forEach((req, r) => {
      if (!Number.isInteger(req.user) || req.user < 1 || req.user > this.numUsers) {
        throw new InputError(`user ${req.user} is not a user of the dataset (1…${this.numUsers})`);
      }
      const a = perAnchor ? req.history.length : 0;
      const row = req.user * anchors + a;
      if (a >= anchors || !present[row]) {
        throw new InputError(
          `no precomputed vector for user ${req.user} at anchor ${a} (a history of ${a} items); the ` +
            `embeddings provide anchors ${anchorList(present, req.user * anchors, anchors)} for this user`,
        );
      }
      out.set(vectors.subarray(row * d, (row + 1) * d), r * d);
    });
    return out;
  }

  itemTable(): Float32Array {
    return this.table;
  }

  async scoreAll(reqs: HistoryRequest[]): Promise<Float32Array> {
    if (reqs.length === 0) return new Float32Array(0);
    const users = await this.encodeUsers(reqs);
    this.scorer ??= await ItemScorer.create(this.table, this.dim, this.settings);
    return this.scorer.score(users);
  }

  async release(): Promise<void> {
    await this.scorer?.release();
    this.scorer = null;
  }
}

export async function loadEmbeddingsRecommender(
  projectDir: string,
  manifest: RecommenderManifest,
  settings: SessionSettings = {},
): Promise<EmbeddingsRecommender> {
  await assertDatasetMatches(projectDir, manifest);
  const details: EmbeddingsDetails = parseDetails(embeddingsDetailsSchema, projectDir, manifest);
  const file = recommenderPath(projectDir, details.file);
  const perAnchor = details.users === 'per-anchor';
  const names = perAnchor
    ? [EMBEDDING_TENSORS.items, EMBEDDING_TENSORS.anchors, EMBEDDING_TENSORS.present]
    : [EMBEDDING_TENSORS.items, EMBEDDING_TENSORS.users];
  const { tensors } = await loadSafetensors(file, names);
  const get = (name: string, dims: number[]): HostTensor => {
    const t = tensors.get(name)!;
    if (t.dims.length !== dims.length || t.dims.some((v, k) => v !== dims[k])) {
      throw new InputError(`${file}: tensor "${name}" is not [${dims}]; import the embeddings again`);
    }
    return t;
  };
  const d = manifest.dim ?? 0;
  const items = get(EMBEDDING_TENSORS.items, [manifest.numItems + 1, d]);
  const users = perAnchor ? tensors.get(EMBEDDING_TENSORS.anchors)! : tensors.get(EMBEDDING_TENSORS.users)!;
  const numUsers = users.dims[0] - 1;
  const anchors = perAnchor ? (details.anchors ?? 1) : 1;
  get(
    perAnchor ? EMBEDDING_TENSORS.anchors : EMBEDDING_TENSORS.users,
    perAnchor ? [numUsers + 1, anchors, d] : [numUsers + 1, d],
  );
  const present = perAnchor
    ? (get(EMBEDDING_TENSORS.present, [numUsers + 1, anchors]).data as Uint8Array)
    : new Uint8Array(numUsers + 1).fill(1);
  return new EmbeddingsRecommender(
    { vectors: users.data as Float32Array, anchors, present, perAnchor },
    items.data as Float32Array,
    manifest.numItems,
    numUsers,
    d,
    settings,
  );
}
