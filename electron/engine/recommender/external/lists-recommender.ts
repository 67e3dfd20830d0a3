/**
 * Recommendation lists as a TargetRecommender: no vectors and no scores for arbitrary items, only
 * each user's ranked list — enough for behavior alignment, nothing else.
 */
import { readFile } from 'node:fs/promises';
import type { RecommenderManifest } from '../../../contracts/recommender.ts';
import { InputError } from '../../errors.ts';
import type { HistoryRequest, TargetRecommender } from '../types.ts';
import { type ListsDetails, listsDetailsSchema, storedListSchema } from './lists-import.ts';
import { assertDatasetMatches, parseDetails, recommenderPath } from './recommender-folder.ts';

const LIST_ONLY =
  'the recommender was imported as recommendation lists only: it has no user vectors or item scores, so ' +
  'only behavior alignment (method B, labels from its lists) can use it; import an ONNX encoder or ' +
  'embeddings for the other methods and tasks';

export class ListsRecommender implements TargetRecommender {
  readonly kind = 'lists' as const;
  readonly canScore = false;
  readonly dim = null;

  constructor(
    private readonly lists: Map<number, { items: Uint32Array; scores: Float32Array | null }>,
    readonly numItems: number,
  ) {}

  async encodeUsers(_reqs: HistoryRequest[]): Promise<Float32Array> {
    throw new InputError(LIST_ONLY);
  }

  itemTable(): Float32Array {
    throw new InputError(LIST_ONLY);
  }

  async scoreAll(_reqs: HistoryRequest[]): Promise<Float32Array> {
    throw new InputError(LIST_ONLY);
  }

  /** The user's recommendations (dataset item ids), best first; empty when the user has no list. */
  recommendationList(user: number): Uint32Array {
    return this.lists.get(user)?.items ?? new Uint32Array(0);
  }

  /** The scores the file gave, aligned with recommendationList; null when it gave none. */
  recommendationScores(user: number): Float32Array | null {
    return this.lists.get(user)?.scores ?? null;
  }

  /** Users that have a list, ascending. */
  users(): number[] {
    return [...this.lists.keys()];
  }

  async release(): Promise<void> {}
}

export async function loadListsRecommender(
  projectDir: string,
  manifest: RecommenderManifest,
): Promise<ListsRecommender> {
  await assertDatasetMatches(projectDir, manifest);
  const details: ListsDetails = parseDetails(listsDetailsSchema, projectDir, manifest);
  const file = recommenderPath(projectDir, details.file);
  const text = await readFile(file, 'utf8').catch(() => {
    throw new InputError(`${file}: missing; import the recommendation lists again`);
  });
  const lists = new Map<number, { items: Uint32Array; scores: Float32Array | null }>();
  text
    .split('\n')
    .filter((l) => l !== '')
    .forEach((l, k) => {
      let parsed: ReturnType<typeof storedListSchema.safeParse>;
      try {
        parsed = storedListSchema.safeParse(JSON.parse(l));
      } catch {
        throw new InputError(`${file}:${k + 1}: expected a JSON object; import the lists again`);
      }
      if (!parsed.success) throw new InputError(`${file}:${k + 1}: ${parsed.error.issues[0].message}`);
      const { user, items, scores } = parsed.data;
      lists.set(user, { items: Uint32Array.from(items), scores: scores ? Float32Array.from(scores) : null });
    });
  return new ListsRecommender(lists, manifest.numItems);
}
