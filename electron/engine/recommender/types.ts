/**
 * The target recommender as the rest of the product sees it: something that turns a user's
 * history into a vector and scores items (SASRec, MF, an imported ONNX encoder, precomputed
 * embeddings), or, at the weakest access level, only returns recommendation lists.
 */

/** A user at an anchor: the items before the anchor, oldest first (ids 1…numItems). */
export interface HistoryRequest {
  user: number;
  history: Uint32Array;
}

export type RecommenderKind = 'sasrec' | 'mf' | 'onnx' | 'embeddings' | 'lists';

export interface TargetRecommender {
  readonly kind: RecommenderKind;
  readonly numItems: number;
  /** Embedding width; null for list-only recommenders. */
  readonly dim: number | null;
  /** False for list-only recommenders: no vectors, no scores for arbitrary items. */
  readonly canScore: boolean;
  /** User vectors, row-major [reqs.length, dim]. */
  encodeUsers(reqs: HistoryRequest[]): Promise<Float32Array>;
  /** Item vectors, row-major [numItems + 1, dim]; row 0 is padding. */
  itemTable(): Float32Array;
  /** Scores of every item, row-major [reqs.length, numItems + 1]; column 0 is −Infinity. */
  scoreAll(reqs: HistoryRequest[]): Promise<Float32Array>;
  /** List-only recommenders: the user's ranked recommendations, best first. */
  recommendationList?(user: number): Uint32Array;
  release(): Promise<void>;
}
