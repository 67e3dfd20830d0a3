/**
 * A line-by-line transcription of Hugging Face transformers' `GenerationMixin._beam_search`
 * (v4.5x, the vectorised version: _get_top_k_continuations, _get_running_beams_for_next_iteration,
 * _update_finished_beams, _check_early_stop_heuristic, _beam_search_has_unfinished_sequences) for
 * one prompt, with its −1e9 placeholder arithmetic, and no KV cache: logits are recomputed from each
 * full history. The oracle our cached, placeholder-free beam search must agree with.
 */
import { logSoftmax } from '../../../electron/engine/llm/sampling.ts';

export interface HfBeamConfig {
  vocabSize: number;
  logitsFor: (history: readonly number[]) => ArrayLike<number>;
  prompt: readonly number[];
  numBeams: number;
  maxNewTokens: number;
  eos: readonly number[];
  banned: readonly number[];
  lengthPenalty: number;
  earlyStopping: boolean | 'never';
}

export interface HfBeamResult {
  /** Generated tokens (EOS included, as HF returns them), score and is_sent_finished per slot. */
  beams: { tokens: number[]; score: number; finished: boolean }[];
  /** Forward passes run (HF loop iterations). */
  steps: number;
}

/** Indices of the k largest values, best first; ties to the lower index (a stable torch.topk). */
function topk(values: readonly number[], k: number): number[] {
  return Array.from(values.keys())
    .sort((a, b) => values[b] - values[a] || a - b)
    .slice(0, k);
}

export function hfBeamSearch(c: HfBeamConfig): HfBeamResult {
  const B = c.numBeams;
  const V = c.vocabSize;
  const beamsToKeep = Math.max(2, 1 + c.eos.length) * B;
  let runningSeqs: number[][] = Array.from({ length: B }, () => []);
  let runningScores: number[] = Array.from({ length: B }, (_, b) => (b === 0 ? 0 : -1e9));
  let seqs: number[][] = Array.from({ length: B }, () => []);
  let scores: number[] = new Array(B).fill(-1e9);
  let finished: boolean[] = new Array(B).fill(false);
  let unsatisfied = true;
  let curLen = 0; // generated tokens so far (cur_len − decoder_prompt_len)
  let steps = 0;
  for (;;) {
    steps++;
    // b. log-probs (+ SuppressTokens), accumulated
    const acc: number[] = [];
    for (let b = 0; b < B; b++) {
      const lp = logSoftmax(c.logitsFor([...c.prompt, ...runningSeqs[b]]));
      for (const id of c.banned) lp[id] = Number.NEGATIVE_INFINITY;
      for (let v = 0; v < V; v++) acc.push(lp[v] + runningScores[b]);
    }
    // c. top-K continuations
    const topIdx = topk(acc, beamsToKeep);
    const topLogProbs = topIdx.map((i) => acc[i]);
    const topSeqs = topIdx.map((i) => [...runningSeqs[Math.floor(i / V)], i % V]);
    // d. stopping criteria (EOS, max length)
    const hits = topSeqs.map((s) => c.eos.includes(s[s.length - 1]) || s.length >= c.maxNewTokens);
    // e. running beams for the next iteration
    const runLogProbs = topLogProbs.map((s, k) => s + (hits[k] ? -1e9 : 0));
    const nextIdx = topk(runLogProbs, B);
    runningSeqs = nextIdx.map((k) => topSeqs[k]);
    runningScores = nextIdx.map((k) => runLogProbs[k]);
    // f. finished beams
    const topNumBeamsJustFinished = hits.map((h, k) => h && k < B);
    const full = finished.every(Boolean) && c.earlyStopping === true;
    const finishedLogProbs = topLogProbs.map(
      (s, k) =>
        s / (curLen + 1) ** c.lengthPenalty +
        (full ? -1e9 : 0) +
        (unsatisfied ? 0 : -1e9) +
        (topNumBeamsJustFinished[k] ? 0 : -1e9),
    );
    const mergedSeqs = [...seqs, ...topSeqs];
    const mergedScores = [...scores, ...finishedLogProbs];
    const mergedFinished = [...finished, ...topNumBeamsJustFinished];
    const keep = topk(mergedScores, B);
    seqs = keep.map((k) => mergedSeqs[k]);
    scores = keep.map((k) => mergedScores[k]);
    finished = keep.map((k) => mergedFinished[k]);
    // g. early-stop heuristic and loop condition
    curLen++;
    const bestLength = c.earlyStopping === 'never' && c.lengthPenalty > 0 ? c.maxNewTokens : curLen;
    const bestPossible = runningScores[0] / bestLength ** c.lengthPenalty;
    const minScore = Math.min(...scores);
    unsatisfied = unsatisfied && finished.some((f) => bestPossible > (f ? minScore : -1e9));
    const openBeam = !(finished.every(Boolean) && c.earlyStopping === true);
    const validContinuations = !hits.every(Boolean);
    if (!(unsatisfied && openBeam && validContinuations)) break;
  }
  return { beams: seqs.map((tokens, j) => ({ tokens, score: scores[j], finished: finished[j] })), steps };
}
