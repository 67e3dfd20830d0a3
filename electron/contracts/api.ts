/**
 * Every request the UI can make of the engine, as zod schemas: `apiSchemas[method]` has the params
 * and the result. Main (IPC validation), preload (the typed `window.recx`), the bridge (WebSocket
 * validation), the engine host (dispatch) and the renderer all use this one table.
 *
 * Paths: `project` is a project folder. In Electron only folders the user picked in a native dialog
 * (`project.choose`) are accepted; in browser mode folders under the bridge's `--root`.
 */
import { z } from 'zod';
import { datasetInspectionSchema } from './dataset.ts';
import { metricsLineSchema } from './events.ts';
import { jobInfoSchema, jobStartedSchema } from './jobs.ts';
import { pipelineInfoSchema } from './pipeline.ts';
import { evaluationReportSchema } from './recommender.ts';
import { trainCountsSchema } from './train-counts.ts';

const project = z.string().min(1);
const int = z.number().int();

export const methodSchema = z.enum(['B', 'I', 'H']);
export const taskIdSchema = int.min(1).max(7);
export const DATASET_FORMAT_NAMES = ['movielens', 'recbole', 'amazon', 'sasrec', 'csv', 'synthetic'] as const;
export const RECOMMENDER_PRESETS = ['sasrec-original', 'sasrec-paper', 'mf-bpr'] as const;

export const projectSummarySchema = z.object({
  dir: z.string(),
  name: z.string(),
  seed: int,
  /** One CPU thread for training and scoring (project.json `threads` 1): every run gives the same numbers. */
  reproducible: z.boolean(),
  dataset: z
    .object({ format: z.string(), users: int, items: int, interactions: int, hasGroundTruth: z.boolean() })
    .nullable(),
  recommender: z.object({ kind: z.string(), dim: int.nullable(), evaluated: z.boolean() }).nullable(),
  /** Whether the alignment exports of the recommender exist. */
  exports: z.boolean(),
  llm: z.object({ kind: z.enum(['tiny', 'hf']), path: z.string() }).nullable(),
  runs: int.nonnegative(),
});
export type ProjectSummary = z.infer<typeof projectSummarySchema>;

/** A source folder or file looked at before import: the detected format and the first rows. */
export const datasetPreviewSchema = z.object({
  input: z.string(),
  /** null when no format matched (the user picks one). */
  format: z.enum(DATASET_FORMAT_NAMES).nullable(),
  /** Why that format (or why none). */
  reason: z.string(),
  files: z.array(z.string()),
  /** The file the rows come from. */
  file: z.string().nullable(),
  columns: z.array(z.string()),
  rows: z.array(z.array(z.string())),
});
export type DatasetPreview = z.infer<typeof datasetPreviewSchema>;

export const csvMappingSchema = z.object({
  userCol: z.string().min(1),
  itemCol: z.string().min(1),
  timeCol: z.string().optional(),
  titleCol: z.string().optional(),
  delimiter: z.string().optional(),
});

export const llmInfoSchema = z.object({
  dir: z.string(),
  architecture: z.string(),
  parameters: int,
  dtype: z.string(),
  layers: int,
  hidden: int,
  vocab: int,
  maxPositions: int,
  /** LoRA training memory estimate at the default alignment settings. */
  memoryBytes: z.number(),
  /** Bytes of the weights on disk. */
  weightsBytes: z.number(),
});
export type LlmInfo = z.infer<typeof llmInfoSchema>;

export const runSummarySchema = z.object({
  id: z.string(),
  method: methodSchema,
  steps: int,
  completed: z.boolean(),
  finalLoss: z.number().nullable(),
  evaluated: z.boolean(),
});
export type RunSummary = z.infer<typeof runSummarySchema>;

const scores = z.record(z.string(), z.number());
/**
 * How task 2 was decoded: 'constrained-beam' (the default) a beam of 5 among the candidates' orderings,
 * 'constrained' greedy among them (evaluations made before the beam), 'free' greedy free decoding (the paper).
 */
export const t2DecodingSchema = z.enum(['constrained-beam', 'constrained', 'free']);
export type T2Decoding = z.infer<typeof t2DecodingSchema>;
/** `eval.json` of a run: the paper's metrics of the method and of the baselines. */
export const alignmentEvalSchema = z.object({
  method: z.string(),
  T1: scores.nullable(),
  T2: scores.nullable(),
  T3: scores.nullable(),
  T4: scores.nullable(),
  T6: scores.nullable(),
  t2Decoding: t2DecodingSchema.optional(),
  /** Task 3 with each `<user>` vector taken from another test user (I, H): whether the LM reads the user. */
  controls: z.object({ T3UserShuffledACC: z.number() }).optional(),
  /** Test examples per task ("2": n) left out as longer than the run's maxLen even without their history. */
  skippedTooLong: z.record(z.string(), int).optional(),
  /** Means of the sample explanations' faithfulness scores (see faithfulnessSchema). */
  explanations: z
    .object({
      explanations: int,
      citing: int,
      citationValidity: z.number().nullable(),
      citedDrop: z.number().nullable(),
      randomDrop: z.number().nullable(),
      citedRankChange: z.number().nullable(),
      randomRankChange: z.number().nullable(),
    })
    .optional(),
  baselines: z.record(z.string(), z.record(z.string(), z.unknown())),
});
export type AlignmentEval = z.infer<typeof alignmentEvalSchema>;

export const itemViewSchema = z.object({
  item: int.positive(),
  title: z.string(),
  attributes: z.record(z.string(), z.union([z.string(), z.number(), z.array(z.string())])),
});
export type ItemView = z.infer<typeof itemViewSchema>;

export const userRowSchema = z.object({ user: int.nonnegative(), historyLength: int, recent: z.array(z.string()) });
export type UserRow = z.infer<typeof userRowSchema>;

export const userDetailSchema = z.object({
  user: int.nonnegative(),
  /** The history the recommender sees at the user's test anchor, oldest first. */
  history: z.array(itemViewSchema),
  /** The recommender's top-k (history excluded), best first. */
  topK: z.array(itemViewSchema.extend({ score: z.number(), rank: int.positive() })),
});
export type UserDetail = z.infer<typeof userDetailSchema>;

/** Leave-one-out attribution: how much the item's score drops when each history item is removed. */
export const attributionSchema = z.object({
  user: int.nonnegative(),
  item: int.positive(),
  score: z.number(),
  rank: int.positive(),
  contributions: z.array(z.object({ item: int.positive(), title: z.string(), drop: z.number() })),
});
export type Attribution = z.infer<typeof attributionSchema>;

const removalEffectSchema = z.object({
  removed: z.number(),
  score: z.number(),
  /** score(item | history) − score(item | history without the removed items). */
  drop: z.number(),
  rank: z.number(),
  /** rank after − rank before: positive when the item fell. */
  rankChange: z.number(),
});

/**
 * DESIGN.md §7 for one explanation: which catalogue titles it cites (and whether they are in the
 * history), and how the recommender's score and rank of the item change when the cited history
 * items are removed, against removing as many random history items.
 */
export const faithfulnessSchema = z.object({
  user: int.nonnegative(),
  item: int.positive(),
  citations: z.array(z.object({ title: z.string(), item: int.positive().nullable() })),
  citationValidity: z.number().nullable(),
  score: z.number(),
  rank: z.number(),
  cited: removalEffectSchema.nullable(),
  random: removalEffectSchema.extend({ draws: int }).nullable(),
});
export type Faithfulness = z.infer<typeof faithfulnessSchema>;

// Params of the requests that start work, named: a pipeline (below) chains them.
const datasetImportParams = z.object({
  project,
  format: z.enum(DATASET_FORMAT_NAMES),
  input: z.string().min(1).optional(),
  csv: csvMappingSchema.optional(),
  synthetic: z.object({ users: int.min(10).max(100000), items: int.min(10).max(100000) }).optional(),
  force: z.boolean().optional(),
});
const recommenderTrainParams = z.object({
  project,
  preset: z.enum(RECOMMENDER_PRESETS),
  epochs: int.min(1).max(1000).optional(),
  /** Continue a cancelled training from its checkpoint. */
  resume: z.boolean().optional(),
});
const llmCreateTinyParams = z.object({ project, steps: int.min(1).max(100000).optional() });
const alignTrainParams = z.object({
  project,
  method: methodSchema,
  tasks: z.array(taskIdSchema).min(1).optional(),
  steps: int.min(1).max(1000000).optional(),
  batchSize: int.min(1).max(1024).optional(),
  lr: z.number().positive().max(1).optional(),
  /** Training examples per task (the task mix); missing tasks keep the engine's defaults. */
  trainCounts: trainCountsSchema.optional(),
  /** Tokens per example at most (engine default 256, or the LM's context when shorter). */
  maxLen: int.min(16).max(131072).optional(),
  /** Train the token embedding table and the tied LM head too (engine default: for small tables, as the tiny LM's). */
  trainEmbeddings: z.boolean().optional(),
  /** Continue this cancelled run from its last checkpoint (the other settings are the run's own). */
  resumeRun: z.string().min(1).optional(),
});
const alignEvalParams = z.object({ project, run: z.string().min(1), maxTest: int.min(1).optional() });

const llmUseHfParams = z.object({ project, dir: z.string().min(1) });

/**
 * A pipeline: the wizard's Run as one engine-side plan, so it goes on when the page reloads or
 * closes. Steps run in order, each after the previous one finished; the first failure stops it.
 * An `align.eval` step without `run` evaluates the run of the nearest `align.train` step before it.
 */
export const pipelineStepSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('dataset.import'), label: z.string(), params: datasetImportParams }),
  z.object({ kind: z.literal('recommender.train'), label: z.string(), params: recommenderTrainParams }),
  z.object({ kind: z.literal('llm.createTiny'), label: z.string(), params: llmCreateTinyParams }),
  z.object({ kind: z.literal('llm.useHf'), label: z.string(), params: llmUseHfParams }),
  z.object({ kind: z.literal('align.train'), label: z.string(), params: alignTrainParams }),
  z.object({
    kind: z.literal('align.eval'),
    label: z.string(),
    params: alignEvalParams.extend({ run: z.string().min(1).optional() }),
  }),
]);
export type PipelineStep = z.infer<typeof pipelineStepSchema>;

export const apiSchemas = {
  'app.info': {
    params: z.object({}),
    result: z.object({
      version: z.string(),
      mode: z.enum(['electron', 'browser']),
      /** Where new projects go by default (browser mode: the bridge's root). */
      projectsRoot: z.string().nullable(),
    }),
  },
  /** Electron: a native folder dialog; the chosen folder becomes accessible. Browser mode: not available. */
  'project.choose': {
    params: z.object({ purpose: z.enum(['create', 'open', 'dataset', 'llm']) }),
    result: z.object({ dir: z.string().nullable() }),
  },
  'project.create': {
    params: z.object({
      dir: project,
      name: z.string().min(1).optional(),
      seed: int.optional(),
      /** Train and score with one CPU thread, so every run gives the same numbers (slower). */
      reproducible: z.boolean().optional(),
    }),
    result: projectSummarySchema,
  },
  'project.open': { params: z.object({ dir: project }), result: projectSummarySchema },
  'dataset.preview': {
    params: z.object({ input: z.string().min(1), format: z.enum(DATASET_FORMAT_NAMES).optional() }),
    result: datasetPreviewSchema,
  },
  'dataset.import': {
    params: datasetImportParams,
    result: jobStartedSchema,
  },
  'dataset.inspect': { params: z.object({ project }), result: datasetInspectionSchema },
  'recommender.train': {
    params: recommenderTrainParams,
    result: jobStartedSchema,
  },
  /** The last recommender training's metrics (recommender/metrics.jsonl), for its curve after a reload. */
  'recommender.metrics': {
    params: z.object({ project }),
    result: z.object({ lines: z.array(metricsLineSchema) }),
  },
  'recommender.evaluation': { params: z.object({ project }), result: evaluationReportSchema.nullable() },
  'llm.createTiny': {
    params: llmCreateTinyParams,
    result: jobStartedSchema,
  },
  'llm.inspect': { params: z.object({ dir: z.string().min(1) }), result: llmInfoSchema },
  'llm.useHf': { params: llmUseHfParams, result: projectSummarySchema },
  'align.train': {
    params: alignTrainParams,
    result: jobStartedSchema,
  },
  'align.eval': {
    params: alignEvalParams,
    result: jobStartedSchema,
  },
  'runs.list': { params: z.object({ project }), result: z.array(runSummarySchema) },
  /** A run's metrics.jsonl, for plots (and for overlaying runs). */
  'runs.metrics': {
    params: z.object({ project, run: z.string().min(1) }),
    result: z.object({ run: z.string(), lines: z.array(metricsLineSchema) }),
  },
  'runs.eval': { params: z.object({ project, run: z.string().min(1) }), result: alignmentEvalSchema.nullable() },
  'explorer.users': {
    params: z.object({
      project,
      query: z.string().max(200).optional(),
      offset: int.nonnegative(),
      limit: int.min(1).max(200),
    }),
    result: z.object({ total: int.nonnegative(), users: z.array(userRowSchema) }),
  },
  'explorer.user': {
    params: z.object({ project, user: int.nonnegative(), k: int.min(1).max(100) }),
    result: userDetailSchema,
  },
  'explorer.attribution': {
    params: z.object({ project, user: int.nonnegative(), item: int.positive() }),
    result: attributionSchema,
  },
  /** Streams each listed run's explanation of (user, item) as `job.token` events (model = run id). */
  'explain.start': {
    params: z.object({
      project,
      user: int.nonnegative(),
      item: int.positive(),
      runs: z.array(z.string().min(1)).min(1).max(6),
      maxNewTokens: int.min(1).max(512).optional(),
    }),
    result: jobStartedSchema,
  },
  /** Faithfulness of an explanation's text (citations found by title in the text). */
  'explain.faithfulness': {
    params: z.object({ project, user: int.nonnegative(), item: int.positive(), text: z.string().max(20000) }),
    result: faithfulnessSchema,
  },
  'pipeline.start': {
    params: z.object({ project, steps: z.array(pipelineStepSchema).min(1).max(20) }),
    result: pipelineInfoSchema,
  },
  /** Pipelines of this engine session, oldest first (a reloaded page finds its Run here). */
  'pipeline.list': { params: z.object({}), result: z.array(pipelineInfoSchema) },
  /** Stops a pipeline: its running job is cancelled and no later step starts. */
  'pipeline.cancel': {
    params: z.object({ pipeline: z.string().min(1) }),
    result: z.object({ cancelled: z.boolean() }),
  },
  'jobs.list': { params: z.object({}), result: z.array(jobInfoSchema) },
  'jobs.cancel': { params: z.object({ job: z.string().min(1) }), result: z.object({ cancelled: z.boolean() }) },
} as const;

export type ApiMethod = keyof typeof apiSchemas;
export type ApiParams<M extends ApiMethod> = z.infer<(typeof apiSchemas)[M]['params']>;
export type ApiResult<M extends ApiMethod> = z.infer<(typeof apiSchemas)[M]['result']>;
export const API_METHODS = Object.keys(apiSchemas) as ApiMethod[];
export const isApiMethod = (m: unknown): m is ApiMethod => typeof m === 'string' && Object.hasOwn(apiSchemas, m);
