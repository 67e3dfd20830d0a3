/**
 * `recx align eval`: the paper's metrics (DESIGN.md §7) for one run on the test examples (each
 * user's test anchor; never seen in training), next to the random, popularity and untrained-LM
 * baselines measured by the same code. The aligned model is the base LM with the LoRA merged in;
 * for I/H prompts the projected recommender vectors are added at the placeholder positions.
 */
import path from 'node:path';
import type { Faithfulness } from '../../contracts/api.ts';
import { readDataset } from '../data/dataset-store.ts';
import { scoreExplanations, summarizeExplanations } from '../explain/explanation-scores.ts';
import type { HostTensor } from '../graph/graph.ts';
import { loadSafetensors } from '../graph/safetensors.ts';
import { projectorForward, projectorFromTensors } from '../kernels/projector.ts';
import { loadHfModelDir } from '../llm/hf-model-dir.ts';
import { LlamaRuntime } from '../llm/llama-runtime.ts';
import { loadPeftAdapter } from '../llm/peft-adapter.ts';
import { loadTokenizer } from '../llm/tokenizer-files.ts';
import { writeFileAtomic } from '../project/atomic-io.ts';
import { projectThreads } from '../project/project-file.ts';
import { popularityScores } from '../recommender/baselines.ts';
import { readExports } from '../recommender/export/index.ts';
import { loadRecommender } from '../recommender/load-recommender.ts';
import { createEncoder, encodeFitting, type Slot } from './encode.ts';
import { type AlignmentReport, alignmentReport, alignmentTable } from './eval/alignment-report.ts';
import { popularityAnswerer, randomAnswerer } from './eval/answerer.ts';
import { type AlignmentMetrics, evaluateAlignment } from './eval/evaluate-alignment.ts';
import { lmAnswerer } from './eval/lm-answerer.ts';
import { withShuffledUsers } from './eval/user-shuffle.ts';
import { type AlignExample, promptText } from './example.ts';
import { generateTasks } from './generate-tasks.ts';
import { alignedWeights } from './run-weights.ts';
import { readRunConfig, runDir } from './runs.ts';

export interface Explanation {
  user: number;
  prompt: string;
  /** The aligned LM's explanation. */
  answer: string;
  /** The recommender-derived rationale it was trained to give (task 7's label). */
  reference: string;
  /** The explained item (the recommender's top-1 at the user's test anchor). */
  item: number;
  /** DESIGN.md §7 scores of `answer` (explain/explanation-scores.ts). */
  faithfulness?: Faithfulness;
}

/**
 * The test examples evaluated: with a cap, an equal share of every task that generates (examples come
 * grouped by task). Task 3 is one forward pass per example, so the cap (there for time) leaves it whole.
 */
export function selectTestExamples(examples: readonly AlignExample[], maxTest?: number): AlignExample[] {
  const allTest = examples.filter((e) => e.split === 'test');
  const tasks = [...new Set(allTest.map((e) => e.task))];
  const capped = tasks.filter((t) => t !== 3);
  const perTask = maxTest ? Math.max(1, Math.ceil(maxTest / Math.max(1, capped.length))) : undefined;
  return tasks.flatMap((t) => allTest.filter((e) => e.task === t).slice(0, t === 3 ? undefined : perTask));
}

/**
 * Explanations generated and scored when an evaluation samples some (the demo, the app). Ten were too
 * few to tell cited from random: on one demo run, 10 gave cited/random score drops of 0.048/0.029 (I)
 * and 0.135/0.115 (H), while 50 gave 0.150/0.051 and 0.209/0.064. Decoding is batched, so 50 cost
 * about half a second more than 10 on the demo.
 */
export const SAMPLE_EXPLANATIONS = 50;

export interface AlignEvalResult {
  report: AlignmentReport;
  metrics: AlignmentMetrics;
  baselines: Record<string, AlignmentMetrics>;
  table: string;
  explanations: Explanation[];
}

export async function evaluateRun(
  project: string,
  runId: string,
  opts: {
    maxTest?: number;
    /** Also generate explanations for this many rationale (task 7) test examples. */
    explain?: number;
    /** Task 2 by free decoding (the paper) instead of constrained to the candidates' orderings. */
    freeRanking?: boolean;
    /** CPU threads of the recommender and LM sessions (default: the project's, else all cores). */
    threads?: number;
    onProgress?: (label: string, done: number, total: number) => void;
  } = {},
): Promise<AlignEvalResult> {
  const cfg = await readRunConfig(project, runId);
  const threads = await projectThreads(project, opts.threads);
  const dir = runDir(project, runId);
  const { dataset } = await readDataset(project);
  const exports = await readExports(project);
  const recommender = await loadRecommender(project, threads);
  const itemTable = recommender.canScore ? recommender.itemTable() : null;
  const set = await generateTasks({
    method: cfg.method,
    exports,
    dataset,
    seed: cfg.seed,
    tasks: cfg.tasks,
    trainCounts: cfg.trainCounts, // the run's own task set (task 7's test phrasings share a stream with training)
    recommender,
  });
  await recommender.release();
  const [base, tok] = [await loadHfModelDir(cfg.llmDir), await loadTokenizer(cfg.llmDir)];
  const encode = createEncoder(tok, cfg.maxLen);
  // Examples too long for the run's maxLen are left out of every row of the table alike, and counted.
  const fits = encodeFitting(
    set.examples.filter((e) => e.split === 'test'),
    encode,
  );
  const testable = fits.fitting.map((f) => f.example);
  const test = selectTestExamples(testable, opts.maxTest);
  const adapter = await loadPeftAdapter(path.join(dir, 'adapter'), base.config);
  const { tensors: projTensors } = await loadSafetensors(path.join(dir, 'projectors.safetensors'));
  const dRec = exports.summary.recommender.dim ?? 1;
  const vector = (s: Slot) => {
    const src = s.kind === 'user' ? exports.userVectors : itemTable;
    return src!.subarray(s.ref * dRec, (s.ref + 1) * dRec);
  };
  const addEmbeddings = (slots: Slot[], len: number, tensors: Map<string, HostTensor> | null) => {
    if (slots.length === 0 || !tensors) return null;
    const out = new Float32Array(len * base.config.hidden);
    for (const s of slots) {
      const proj = projectorFromTensors(s.kind, tensors);
      const y = projectorForward(proj, vector(s), 1).out;
      out.set(y, s.position * base.config.hidden);
    }
    return out;
  };
  const encodePrompt = (tensors: Map<string, HostTensor> | null) => (ex: Pick<AlignExample, 'task'>) => {
    const p = encode(ex as AlignExample).prompt;
    return { ids: p.ids, addEmbeddings: addEmbeddings(p.slots, p.ids.length, tensors) };
  };
  const banned = tok.specialTokenIds.filter((id) => id !== tok.eosTokenId);
  const explained = testable.filter((e) => e.task === 7).slice(0, opts.explain ?? 0);
  const explanations: Explanation[] = [];
  const shuffled = withShuffledUsers(test);
  let userShuffledT3: number | undefined;
  const run = async (label: string, weights: Map<string, HostTensor>, tensors: Map<string, HostTensor> | null) => {
    const runtime = await LlamaRuntime.create(base.config, weights, {
      bannedTokenIds: banned,
      eosTokenIds: base.eosTokenIds,
      session: { threads },
    });
    try {
      const answerer = lmAnswerer(runtime, tok, encodePrompt(tensors));
      const metrics = await evaluateAlignment(test, answerer, {
        freeRanking: opts.freeRanking,
        onProgress: (d, t) => opts.onProgress?.(label, d, t),
      });
      if (tensors && shuffled.length > 0) userShuffledT3 = (await evaluateAlignment(shuffled, answerer)).T3?.ACC;
      if (tensors && explained.length > 0) {
        const answers = await answerer.generate(explained, { beams: 1, maxNewTokens: 48 });
        for (const [k, e] of explained.entries()) {
          explanations.push({
            user: e.user,
            prompt: promptText(e.segments),
            answer: answers[k][0] ?? '',
            reference: e.answer,
            item: e.meta.top1 as number,
          });
        }
      }
      return metrics;
    } finally {
      await runtime.release();
    }
  };
  const aligned = await run(cfg.method, await alignedWeights(dir, cfg, base.weights, adapter), projTensors);
  const untrained = await run('untrained', base.weights, null);
  const titles = dataset.itemRecords.map((r) => r.title);
  const pop = popularityScores(dataset);
  const byPopularity = [...titles.keys()].sort((a, b) => pop[b + 1] - pop[a + 1] || a - b).map((k) => titles[k]);
  const baselines: Record<string, AlignmentMetrics> = {
    random: await evaluateAlignment(test, randomAnswerer(titles, cfg.seed)),
    popularity: await evaluateAlignment(
      test,
      popularityAnswerer(byPopularity, (id) => titles[id - 1]),
    ),
    untrained,
  };
  const report = alignmentReport(cfg.method, aligned, baselines, opts.freeRanking ? 'free' : 'constrained-beam');
  if (userShuffledT3 !== undefined) report.controls = { T3UserShuffledACC: userShuffledT3 };
  if (Object.keys(fits.tooLong).length > 0) report.skippedTooLong = fits.tooLong;
  if (explanations.length > 0) {
    const scores = await scoreExplanations(
      project,
      explanations.map((e) => ({ user: e.user, item: e.item, text: e.answer })),
      titles,
    );
    scores.forEach((f, k) => {
      explanations[k].faithfulness = f;
    });
    report.explanations = summarizeExplanations(scores);
  }
  await writeFileAtomic(path.join(dir, 'eval.json'), `${JSON.stringify(report, null, 2)}\n`);
  if (explanations.length > 0) {
    await writeFileAtomic(
      path.join(dir, 'explanations.jsonl'),
      explanations.map((e) => `${JSON.stringify(e)}\n`).join(''),
    );
  }
  return {
    report,
    metrics: aligned,
    baselines,
    table: alignmentTable({ [cfg.method]: aligned, ...baselines }),
    explanations,
  };
}
