/**
 * Task 5, general-text replay: the first half of a corpus line (by words) → the rest, so the LM
 * keeps writing ordinary text while it learns the recommender. Lines of fewer than two words are
 * skipped. Train and test use disjoint lines: the test lines are a seeded quarter at most.
 */
import type { Rng } from '../../random.ts';
import type { AlignExample, Method } from '../example.ts';
import { REPLAY_FRAMES, renderFrame } from '../templates.ts';

export interface ReplayCounts {
  train: number;
  test: number;
}

export function buildReplayExamples(method: Method, corpus: readonly string[], counts: ReplayCounts, rng: Rng) {
  const usable: number[] = [];
  corpus.forEach((line, k) => {
    if (line.trim().split(/\s+/).length >= 2) usable.push(k);
  });
  rng.shuffle(usable);
  const testLines = usable.slice(0, Math.min(counts.test, Math.floor(usable.length / 4)));
  const trainLines = usable.slice(testLines.length, testLines.length + counts.train);
  const make = (line: number, split: AlignExample['split']): AlignExample => {
    const words = corpus[line].trim().split(/\s+/);
    const cut = Math.ceil(words.length / 2);
    const template = rng.int(REPLAY_FRAMES.length);
    return {
      task: 5,
      method,
      user: 0,
      anchor: -1,
      split,
      segments: renderFrame(REPLAY_FRAMES[template], { text: [{ kind: 'text', text: words.slice(0, cut).join(' ') }] }),
      answer: words.slice(cut).join(' '),
      meta: { template, corpusLine: line },
    };
  };
  return {
    train: trainLines.map((l) => make(l, 'train')),
    test: testLines.map((l) => make(l, 'test')),
  };
}
