/**
 * Leave-one-out evaluation of a recommender: for every user, the held-out item (validation or test)
 * is ranked against all items the user has not interacted with before it (full ranking) and
 * against 100 sampled ones; HR@k and NDCG@k for k ∈ {5, 10, 20}; popularity and random baselines
 * ranked the same way. Validation drives early stopping; the test split is used only at the end.
 */
import type { EvaluationReport, RankingMetrics } from '../../contracts/recommender.ts';
import type { ProcessedDataset } from '../data/preprocess.ts';
import { Rng } from '../random.ts';
import { popularityScores, randomScores } from './baselines.ts';
import { MetricAccumulator, rankOfTarget, sampledRank } from './metrics.ts';
import type { HistoryRequest } from './types.ts';

export type Split = 'validation' | 'test';
export type ScoreBatch = (reqs: HistoryRequest[]) => Promise<Float32Array>;

export interface EvaluateOptions {
  seed: number;
  batchSize?: number;
  /** Also rank against 100 sampled negatives and compute the baselines (the full report). */
  full?: boolean;
  onProgress?: (done: number, total: number) => void;
}

type Ds = Pick<ProcessedDataset, 'numUsers' | 'numItems' | 'offsets' | 'items'>;

/** The history before the held-out item of `split`, and that item. */
export function heldOut(ds: Ds, u: number, split: Split): { history: Uint32Array; target: number } {
  const start = ds.offsets[u - 1];
  const end = ds.offsets[u] - (split === 'validation' ? 1 : 0);
  return { history: ds.items.subarray(start, end - 1), target: ds.items[end - 1] };
}

interface Accumulators {
  full: MetricAccumulator;
  sampled: MetricAccumulator;
}

const accumulators = (): Accumulators => ({ full: new MetricAccumulator(), sampled: new MetricAccumulator() });

export async function evaluateScores(
  score: ScoreBatch,
  ds: Ds,
  split: Split,
  opts: EvaluateOptions,
): Promise<EvaluationReport> {
  const batch = opts.batchSize ?? 256;
  const n = ds.numItems;
  const model = accumulators();
  const pop = accumulators();
  const rand = accumulators();
  const popScores = opts.full ? popularityScores(ds) : null;
  const rng = new Rng(opts.seed).fork(`evaluate-${split}`);
  for (let first = 1; first <= ds.numUsers; first += batch) {
    const users = Array.from({ length: Math.min(batch, ds.numUsers - first + 1) }, (_, k) => first + k);
    const held = users.map((u) => heldOut(ds, u, split));
    const scores = await score(users.map((u, k) => ({ user: u, history: held[k].history })));
    held.forEach(({ history, target }, k) => {
      model.full.add(rankOfTarget(scores, k * (n + 1), n, target, history));
      if (!opts.full) return;
      const sampleSeed = rng.nextUint32();
      model.sampled.add(sampledRank(scores, k * (n + 1), n, target, history, new Rng(sampleSeed)));
      pop.full.add(rankOfTarget(popScores!, 0, n, target, history));
      pop.sampled.add(sampledRank(popScores!, 0, n, target, history, new Rng(sampleSeed)));
      const rs = randomScores(rng, n);
      rand.full.add(rankOfTarget(rs, 0, n, target, history));
      rand.sampled.add(sampledRank(rs, 0, n, target, history, new Rng(sampleSeed)));
    });
    opts.onProgress?.(first + users.length - 1, ds.numUsers);
  }
  const empty: RankingMetrics = {};
  return {
    full: model.full.result(),
    sampled100: opts.full ? model.sampled.result() : empty,
    baselines: {
      popularity: { full: opts.full ? pop.full.result() : empty, sampled100: opts.full ? pop.sampled.result() : empty },
      random: { full: opts.full ? rand.full.result() : empty, sampled100: opts.full ? rand.sampled.result() : empty },
    },
    split,
    users: ds.numUsers,
  };
}
