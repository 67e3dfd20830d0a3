/**
 * Streams each alignment run's explanation of why `item` suits `user` (DESIGN.md §1.4, §7): the
 * task-7 prompt at the user's test anchor in the run's method format (explanation-prompt.ts), the
 * recommender vectors injected at the placeholders for I/H, greedy decoding, and `onText` called
 * each time the text grows and once more with done = true. Runs are explained one after another;
 * loaded LMs stay in a small LRU (freed by releaseExplorer). When `signal` aborts, generation stops
 * between tokens and the interrupted run gets no done call (the job is reported cancelled).
 */
import path from 'node:path';
import type { Slot } from '../align/encode.ts';
import { readRunConfig, runDir } from '../align/runs.ts';
import { InputError } from '../errors.ts';
import type { SessionSettings } from '../graph/session.ts';
import { generate } from '../llm/generate.ts';
import { ADAPTER_WEIGHTS_FILE } from '../llm/peft-adapter.ts';
import type { AlignmentExports } from '../recommender/export/index.ts';
import { type ExplanationSubject, explanationExample } from './explanation-prompt.ts';
import { type AlignedLm, loadAlignedLm, RUN_FILES } from './load-aligned-lm.ts';
import {
  checkItem,
  fileStamp,
  projectKey,
  registerProjectCache,
  testHistory,
  withDataset,
  withExports,
  withRecommender,
} from './project-cache.ts';
import { ResourceCache } from './resource-cache.ts';

export const DEFAULT_EXPLANATION_TOKENS = 96;
/** Aligned LMs kept loaded: enough for B, I and H side by side. */
const LOADED_LMS = 3;

const lms = new ResourceCache<AlignedLm>(LOADED_LMS, (lm) => lm.release());
registerProjectCache(lms);

export interface ExplainStreamRequest {
  user: number;
  item: number;
  /** Run ids under `<project>/runs/`. */
  runs: string[];
  maxNewTokens?: number;
  signal?: AbortSignal;
  /** The run's text so far (done = false), then its final, trimmed text (done = true). */
  onText(run: string, text: string, done: boolean): void;
  /** ORT settings of the LM sessions (threads, providers). */
  session?: SessionSettings;
}

interface Vectors {
  user: Float32Array;
  item: Float32Array;
}

/** The test anchor's row in the exports: rows are sorted by user, the test anchor last. */
function testAnchorRow(exports: AlignmentExports, user: number): number {
  let lo = 0;
  let hi = exports.count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (exports.user[mid] <= user) lo = mid + 1;
    else hi = mid;
  }
  const row = lo - 1;
  if (row < 0 || exports.user[row] !== user || !exports.isTest[row]) {
    throw new InputError(`user ${user} has no test anchor in the recommender exports; re-run the export`);
  }
  return row;
}

/** The user's test-anchor vector and the item's vector, for the `<user>` / `<item>` placeholders. */
async function placeholderVectors(
  project: string,
  subject: ExplanationSubject,
  contentHash: string,
): Promise<{ anchorRow: number; vectors: Vectors }> {
  const { anchorRow, user } = await withExports(project, (e) => {
    if (e.summary.dataContentHash !== contentHash) {
      throw new InputError(`${project}: the recommender exports are for another version of the dataset; export again`);
    }
    if (!e.userVectors) throw new InputError('the recommender has no user vectors: only method B can explain with it');
    const row = testAnchorRow(e, subject.user);
    const dim = e.userVectors.length / e.count;
    return { anchorRow: row, user: e.userVectors.slice(row * dim, (row + 1) * dim) };
  });
  const item = await withRecommender(project, (rec) => {
    if (!rec.canScore || rec.dim === null) throw new InputError(`the ${rec.kind} recommender has no item vectors`);
    return rec.itemTable().slice(subject.item * rec.dim, (subject.item + 1) * rec.dim);
  });
  return { anchorRow, vectors: { user, item } };
}

/** One run's explanation; null when aborted. */
async function explainWith(
  lm: AlignedLm,
  subject: ExplanationSubject,
  vectors: Vectors | null,
  req: ExplainStreamRequest,
): Promise<string | null> {
  const run = lm.runId;
  const { ids, slots } = lm.encode(explanationExample(lm.config.method, subject, lm.config.seed)).prompt;
  const vector = (s: Slot) => {
    if (!vectors) throw new Error(`method ${lm.config.method} prompt has a ${s.kind} placeholder but no vectors`);
    return vectors[s.kind];
  };
  const added = lm.injected(slots, ids.length, vector);
  const budget = Math.min(req.maxNewTokens ?? DEFAULT_EXPLANATION_TOKENS, lm.runtime.maxLength - ids.length);
  if (budget <= 0) {
    req.onText(run, '', true); // the prompt alone fills the LM's context
    return '';
  }
  const decode = (t: readonly number[]) => lm.tokenizer.decode(t, { skipSpecialTokens: true });
  let shown = '';
  const [seq] = await generate(lm.runtime, ids, {
    strategy: 'greedy',
    maxNewTokens: budget,
    decode,
    signal: req.signal,
    prefill: added ? { addEmbeddings: [added] } : undefined,
    onToken: (_token, textSoFar) => {
      const text = textSoFar.trimStart();
      if (text !== shown) {
        shown = text;
        req.onText(run, text, false);
      }
    },
  });
  if (seq.finishReason === 'aborted') return null;
  const text = (seq.text ?? decode(seq.tokens)).trim();
  req.onText(run, text, true);
  return text;
}

/** Explains (user, item) with every run in `req.runs`; returns the final texts by run id. */
export async function explainStreaming(project: string, req: ExplainStreamRequest): Promise<Record<string, string>> {
  const configs = await Promise.all(req.runs.map((r) => readRunConfig(project, r)));
  const { subject, contentHash } = await withDataset(project, ({ dataset: ds, contentHash }) => {
    const history = testHistory(ds, req.user);
    checkItem(ds, req.item);
    const title = (i: number) => ds.itemRecords[i - 1].title;
    const s: ExplanationSubject = {
      user: req.user,
      anchorRow: -1,
      historyTitles: Array.from(history, title),
      item: req.item,
      itemTitle: title(req.item),
    };
    return { subject: s, contentHash };
  });
  let vectors: Vectors | null = null;
  if (configs.some((c) => c.method !== 'B')) {
    const found = await placeholderVectors(project, subject, contentHash);
    subject.anchorRow = found.anchorRow;
    vectors = found.vectors;
  }
  const out: Record<string, string> = {};
  for (const run of req.runs) {
    if (req.signal?.aborted) break;
    const dir = runDir(project, run);
    const stamp = await fileStamp(
      path.join(dir, RUN_FILES.done),
      path.join(dir, RUN_FILES.adapter, ADAPTER_WEIGHTS_FILE),
      path.join(dir, RUN_FILES.projectors),
    );
    const load = () => loadAlignedLm(project, run, { session: req.session });
    const text = await lms.use(projectKey(project, run), stamp, load, (lm) => explainWith(lm, subject, vectors, req));
    if (text === null) break;
    out[run] = text;
  }
  return out;
}
