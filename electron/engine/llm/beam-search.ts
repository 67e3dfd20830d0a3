/**
 * Beam search with Hugging Face transformers' semantics (the vectorised `_beam_search` of v4.5x),
 * restated per prompt with explicit lists instead of its −1e9 placeholder arithmetic. Per step:
 *  - every running beam b adds log_softmax(logits_b) (banned ids −∞) to its running log-prob; the
 *    best K = max(2, 1 + #eos)·numBeams continuations over all beams are kept, best first;
 *  - a continuation "ends" on an EOS, a stop string or at its prompt's limit (maxNewTokens, or less
 *    where the prompt nears maxLength). An ended one joins the
 *    finished set only if it ranks among the first numBeams, scored logProb / length^lengthPenalty
 *    (length = generated tokens, the EOS counted); the finished set keeps its numBeams best;
 *  - the next running beams are the best numBeams continuations that did not end; the KV cache
 *    follows them through decode(cache, lastTokens, parentRows) (each prompt is prefilled once, and
 *    the first decode fans its row out to the beams);
 *  - a prompt stops when no beam runs, or per `earlyStopping` (see BeamOptions).
 * HF's placeholder beams (score −1e9, e.g. numBeams > vocab at the first step) only ever fill slots
 * that real hypotheses leave empty, so dropping them changes no real result; we simply return fewer.
 * Beams stream nothing.
 * With allowed sequences (token-trie.ts) each beam keeps its trie node and continues only with the
 * tokens allowed there, scored by the unrenormalised log-softmax (HF's `prefix_allowed_tokens_fn`
 * masks after it too), so a finished sequence's logProb is its log-probability under the model.
 */
import type { BeamSettings, FinishReason, GeneratedSequence, StopRules } from './generation-types.ts';
import type { NextTokenModel } from './next-token-model.ts';
import { logSoftmax } from './sampling.ts';
import { findStopString, tokensBefore } from './stop-strings.ts';
import { allowedAfter, type TokenTrie, type TrieNode } from './token-trie.ts';

interface Beam {
  tokens: number[];
  logProb: number;
  /** Row of this beam in the current logits/cache. */
  row: number;
  /** Constrained decoding: the beam's place in its prompt's trie of allowed sequences. */
  node?: TrieNode;
}

interface Continuation {
  parent: Beam;
  token: number;
  logProb: number;
}

interface PromptBeams {
  running: Beam[];
  /** Best first, at most numBeams. */
  finished: GeneratedSequence[];
  done: boolean;
}

/**
 * The best `k` continuations of all beams (finite log-probs only), best first; ties go to the lower
 * flat index beam·V + token, as in HF's topk over [numBeams·V]. A beam with a trie node continues
 * only with the tokens allowed there (`eos` ends an allowed sequence).
 */
export function topContinuations(
  beams: readonly Beam[],
  logits: Float32Array,
  vocabSize: number,
  banned: readonly number[],
  k: number,
  eos = -1,
): Continuation[] {
  // Min-heap on (score, then higher index = worse) holding the best k seen so far.
  const scores: number[] = [];
  const indices: number[] = [];
  const worse = (i: number, j: number) => scores[i] < scores[j] || (scores[i] === scores[j] && indices[i] > indices[j]);
  const swap = (i: number, j: number) => {
    [scores[i], scores[j]] = [scores[j], scores[i]];
    [indices[i], indices[j]] = [indices[j], indices[i]];
  };
  const siftDown = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < scores.length && worse(l, m)) m = l;
      if (r < scores.length && worse(r, m)) m = r;
      if (m === i) return;
      swap(i, m);
      i = m;
    }
  };
  beams.forEach((beam, b) => {
    const lp = logSoftmax(logits.subarray(beam.row * vocabSize, (beam.row + 1) * vocabSize));
    for (const id of banned) lp[id] = Number.NEGATIVE_INFINITY;
    const only = beam.node ? allowedAfter(beam.node, eos).sort((a, b) => a - b) : null;
    const count = only ? only.length : vocabSize;
    for (let j = 0; j < count; j++) {
      const v = only ? only[j] : j;
      const s = beam.logProb + lp[v];
      if (s === Number.NEGATIVE_INFINITY) continue;
      const index = b * vocabSize + v;
      if (scores.length < k) {
        scores.push(s);
        indices.push(index);
        for (let i = scores.length - 1; i > 0 && worse(i, (i - 1) >> 1); i = (i - 1) >> 1) swap(i, (i - 1) >> 1);
      } else if (s > scores[0]) {
        // Equal scores never displace: the held one has the lower index.
        scores[0] = s;
        indices[0] = index;
        siftDown(0);
      }
    }
  });
  const order = Array.from(scores.keys()).sort((i, j) => scores[j] - scores[i] || indices[i] - indices[j]);
  return order.map((i) => ({
    parent: beams[Math.floor(indices[i] / vocabSize)],
    token: indices[i] % vocabSize,
    logProb: scores[i],
  }));
}

function scored(
  tokens: number[],
  logProb: number,
  length: number,
  alpha: number,
  reason: FinishReason,
): GeneratedSequence {
  return { tokens, logProb, score: length === 0 ? logProb : logProb / length ** alpha, finishReason: reason };
}

/** Stable: on equal scores the earlier entry (an older finished hypothesis) stays ahead. */
function bestFirst(hyps: GeneratedSequence[], n: number): GeneratedSequence[] {
  return hyps
    .map((h, i) => ({ h, i }))
    .sort((a, b) => b.h.score - a.h.score || a.i - b.i)
    .slice(0, n)
    .map((e) => e.h);
}

/** `allowed`: per prompt, the trie of the sequences its answers must be (constrained decoding). */
export async function beamSearch(
  model: NextTokenModel,
  prompts: number[][],
  rules: StopRules,
  settings: BeamSettings,
  allowed?: readonly TokenTrie[],
): Promise<GeneratedSequence[][]> {
  const { numBeams, lengthPenalty: alpha, earlyStopping } = settings;
  const vocabSize = model.vocabSize;
  const keep = Math.max(2, 1 + rules.eos.size) * numBeams;
  const eos = allowed ? [...rules.eos][0] : -1;
  const states: PromptBeams[] = prompts.map((_, i) =>
    rules.limits[i] === 0 // a prompt that fills the context: nothing to generate
      ? { running: [], finished: [scored([], 0, 0, alpha, 'length')], done: true }
      : { running: [{ tokens: [], logProb: 0, row: i, node: allowed?.[i].start }], finished: [], done: false },
  );

  /** How a continuation ends, if it does: its reason and returned tokens/text. */
  const ending = (tokens: number[], token: number, length: number, limit: number) => {
    if (rules.eos.has(token)) return { reason: 'eos' as const, tokens: tokens.slice(0, -1) };
    if (rules.decode && rules.stopStrings.length > 0) {
      const text = rules.decode(tokens);
      const cut = findStopString(text, rules.stopStrings);
      if (cut >= 0)
        return { reason: 'stop' as const, tokens: tokensBefore(tokens, rules.decode, cut), text: text.slice(0, cut) };
    }
    if (length >= limit) return { reason: 'length' as const, tokens };
    return undefined;
  };

  const advance = (st: PromptBeams, logits: Float32Array, length: number, limit: number) => {
    const continuations = topContinuations(st.running, logits, vocabSize, rules.banned, keep, eos);
    const running: Beam[] = [];
    const fresh: GeneratedSequence[] = [];
    for (let rank = 0; rank < continuations.length; rank++) {
      if (rank >= numBeams && running.length >= numBeams) break;
      const c = continuations[rank];
      const tokens = [...c.parent.tokens, c.token];
      const end = ending(tokens, c.token, length, limit);
      if (end === undefined) {
        if (running.length < numBeams) {
          const node = c.parent.node?.children.get(c.token);
          running.push({ tokens, logProb: c.logProb, row: c.parent.row, ...(node ? { node } : {}) });
        }
      } else if (rank < numBeams) {
        const hyp = scored(end.tokens, c.logProb, length, alpha, end.reason);
        if (end.reason === 'stop') hyp.text = end.text;
        fresh.push(hyp);
      }
    }
    st.finished = bestFirst([...st.finished, ...fresh], numBeams);
    st.running = running;
    if (running.length === 0) {
      st.done = true;
      return;
    }
    const full = st.finished.length === numBeams;
    const bestLength = earlyStopping === 'never' && alpha > 0 ? limit : length;
    const bestPossible = running[0].logProb / bestLength ** alpha;
    const cannotImprove = full && !(bestPossible > st.finished[numBeams - 1].score);
    if (cannotImprove || (earlyStopping === true && full)) {
      st.done = true;
      st.running = [];
    }
  };

  const results = (aborted: boolean) =>
    states.map((st) => {
      let pool = st.finished;
      if (aborted && st.running.length > 0) {
        const partial = st.running.map((b) => scored(b.tokens, b.logProb, b.tokens.length, alpha, 'aborted'));
        pool = bestFirst([...st.finished, ...partial], numBeams);
      }
      return pool.slice(0, settings.numReturnSequences).map((h) => {
        if (rules.decode && h.text === undefined) h.text = rules.decode(h.tokens);
        return h;
      });
    });

  let { logits, cache } = await model.prefill(prompts, rules.prefill);
  for (let length = 1; ; length++) {
    if (rules.signal?.aborted) return results(true);
    states.forEach((st, i) => {
      if (!st.done) advance(st, logits, length, rules.limits[i]);
    });
    const tokens: number[] = [];
    const sourceRows: number[] = [];
    for (const st of states) {
      for (const beam of st.running) {
        sourceRows.push(beam.row);
        beam.row = tokens.length;
        tokens.push(beam.tokens[beam.tokens.length - 1]);
      }
    }
    if (tokens.length === 0) return results(false);
    if (rules.signal?.aborted) return results(true);
    ({ logits, cache } = await model.decode(cache, tokens, sourceRows));
  }
}
