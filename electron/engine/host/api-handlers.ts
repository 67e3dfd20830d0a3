/**
 * The engine behind the UI: one handler per contract method (contracts/api.ts). Quick queries
 * answer at once; long work is submitted to the job runner and answered with its id, then reports
 * through events. Handlers get params already validated by the contracts' schemas, and paths
 * already checked against the granted folders (host-process.ts); anything thrown becomes an error
 * response through toApiError.
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ApiMethod, ApiParams, ApiResult } from '../../contracts/api.ts';
import { alignmentEvalSchema } from '../../contracts/api.ts';
import { type MetricsLine, metricsLineSchema } from '../../contracts/events.ts';
import { evaluationReportSchema } from '../../contracts/recommender.ts';
import { evaluateRun, SAMPLE_EXPLANATIONS } from '../align/eval-run.ts';
import type { TaskId } from '../align/example.ts';
import { listRuns, runDir } from '../align/runs.ts';
import { trainAlignment } from '../align/train-align.ts';
import { readDataset } from '../data/dataset-store.ts';
import { importDataset } from '../data/import-dataset.ts';
import { inspectDataset } from '../data/inspect-dataset.ts';
import { previewSource } from '../data/preview-source.ts';
import { InputError } from '../errors.ts';
import { explainStreaming } from '../explain/explain-stream.ts';
import { citedTitles } from '../explain/explanation-scores.ts';
import { attribution, listUsers, releaseExplorer, userDetail } from '../explain/explorer.ts';
import { faithfulness } from '../explain/faithfulness.ts';
import type { Trainer } from '../graph/trainer.ts';
import { llmInfo } from '../llm/model-info.ts';
import { loadProjectLlm } from '../llm/project-llm.ts';
import { createTinyLm } from '../llm/tiny-lm.ts';
import { writeFileAtomic } from '../project/atomic-io.ts';
import type { JobContext, JobRunner } from '../project/jobs.ts';
import type { PipelineRunner } from '../project/pipelines.ts';
import { newProjectFile, readProjectFile, writeProjectFile } from '../project/project-file.ts';
import { evaluateProject } from '../recommender/evaluate-project.ts';
import { exportProject } from '../recommender/export-project.ts';
import { EVAL_FILE, recommenderDir } from '../recommender/store.ts';
import { trainRecommender } from '../recommender/train-recommender.ts';
import { projectSummary } from './project-summary.ts';

export interface HostInfo {
  version: string;
  mode: 'electron' | 'browser';
  projectsRoot: string | null;
}

type Handler<M extends ApiMethod> = (params: ApiParams<M>) => Promise<ApiResult<M>>;
export type ApiHandlers = { [M in ApiMethod]: Handler<M> };

/** Anchors per user in the alignment exports made after training (as the demo: enough for the default task counts). */
const EXPORT_ANCHORS_PER_USER = 8;

/** The recommender's training metrics, kept so its curve can be drawn again after a reload. */
const RECOMMENDER_METRICS = 'metrics.jsonl';

/**
 * Streams a Trainer's steps and evaluations as job progress and metrics lines (and appends each
 * line to `file` when given: small, ordered writes that survive a kill).
 */
function watchTrainer(ctx: JobContext, trainer: Trainer, stage: string, file?: string): void {
  const emit = (line: MetricsLine) => {
    ctx.metrics(line);
    if (file) appendFileSync(file, `${JSON.stringify(line)}\n`);
  };
  trainer.on('step', (e) => {
    ctx.progress(stage, e.step, e.totalSteps, e.etaSec);
    emit({
      step: e.step,
      timeSec: e.elapsedSec,
      loss: e.loss,
      lr: e.lr,
      tokensPerSec: e.throughput,
      rssMb: e.rssMb,
      etaSec: e.etaSec,
    });
  });
  trainer.on('eval', (e) => emit({ step: e.step, eval: e.metrics }));
}

async function readMetricsLines(file: string): Promise<MetricsLine[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const out: MetricsLine[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      continue; // a line cut by a kill
    }
    const parsed = metricsLineSchema.safeParse(raw);
    if (parsed.success) out.push(parsed.data);
  }
  return out;
}

export function createApiHandlers(jobs: JobRunner, info: HostInfo, pipelines: PipelineRunner): ApiHandlers {
  const started = (
    kind: Parameters<JobRunner['submit']>[0],
    label: string,
    project: string,
    work: (ctx: JobContext) => Promise<unknown>,
  ) => Promise.resolve({ job: jobs.submit(kind, label, project, work).id });

  return {
    'app.info': async () => ({ ...info }),
    'project.choose': async () => ({ dir: null }), // a dialog needs Electron: main answers it there
    'project.create': async ({ dir, name, seed, reproducible }) => {
      if (await readProjectFile(dir)) throw new InputError(`${dir} already holds a project; open it instead`);
      const entries = await readdir(dir).catch(() => [] as string[]);
      if (entries.filter((e) => !e.startsWith('.')).length > 0) {
        throw Object.assign(new InputError(`${dir} is not empty; choose an empty or new folder`), { field: 'dir' });
      }
      await mkdir(dir, { recursive: true });
      const file = newProjectFile(dir, seed ?? 42);
      await writeProjectFile(dir, { ...file, name: name ?? file.name, ...(reproducible ? { threads: 1 } : {}) });
      return projectSummary(dir);
    },
    'project.open': async ({ dir }) => projectSummary(dir),
    'dataset.preview': async ({ input, format }) => previewSource(input, format),
    'dataset.import': async (p) =>
      started('dataset.import', `Import ${p.format}`, p.project, async (ctx) => {
        const { manifest } = await importDataset({
          format: p.format,
          project: p.project,
          input: p.input,
          csv: p.csv,
          synthetic: p.format === 'synthetic' ? (p.synthetic ?? { users: 1000, items: 500 }) : undefined,
          force: p.force,
          onProgress: (stage, done, total) => {
            // Stopping aborts the import between chunks; its writes are atomic, so nothing is left half-done.
            ctx.signal.throwIfAborted();
            ctx.progress(stage, done, total);
          },
        });
        releaseExplorer(p.project);
        return { counts: manifest.counts, warnings: manifest.warnings };
      }),
    'dataset.inspect': async ({ project }) => inspectDataset(project),
    'recommender.train': async ({ project, preset, epochs, resume }) =>
      started('recommender.train', `Train ${preset}`, project, async (ctx) => {
        const model = preset.startsWith('mf') ? 'mf' : 'sasrec';
        const metricsFile = path.join(recommenderDir(project), RECOMMENDER_METRICS);
        const r = await trainRecommender({
          project,
          model,
          preset,
          overrides: { maxEpochs: epochs },
          resume,
          signal: ctx.signal,
          onTrainer: (t) => {
            // A fresh training starts a fresh curve; a resumed one continues it.
            mkdirSync(path.dirname(metricsFile), { recursive: true });
            if (!resume) writeFileSync(metricsFile, '');
            watchTrainer(ctx, t, 'training', metricsFile);
          },
        });
        // Stopped: what a resume needs (the same preset and epoch budget, from the checkpoint).
        if (!r.completed) return { completed: false, epochs: r.epochs, resume: { preset, epochs } };
        releaseExplorer(project);
        const report = await evaluateProject(project, 'test', (d, t) => ctx.progress('evaluating', d, t));
        await writeFileAtomic(path.join(recommenderDir(project), EVAL_FILE), `${JSON.stringify(report, null, 2)}\n`);
        ctx.signal.throwIfAborted();
        // The alignment exports (labels from this recommender) are what the alignment step reads.
        await exportProject(project, { maxAnchorsPerUser: EXPORT_ANCHORS_PER_USER }, (d, t) =>
          ctx.progress('exporting alignment labels', d, t),
        );
        return { completed: true, epochs: r.epochs, bestEpoch: r.bestEpoch, validation: r.validation };
      }),
    'recommender.metrics': async ({ project }) => ({
      lines: await readMetricsLines(path.join(recommenderDir(project), RECOMMENDER_METRICS)),
    }),
    'recommender.evaluation': async ({ project }) => {
      const text = await readFile(path.join(recommenderDir(project), EVAL_FILE), 'utf8').catch(() => null);
      return text ? evaluationReportSchema.parse(JSON.parse(text)) : null;
    },
    'llm.createTiny': async ({ project, steps }) =>
      started('llm.createTiny', 'Build the tiny LM', project, async (ctx) => {
        const r = await createTinyLm(project, {
          steps,
          signal: ctx.signal,
          onTrainer: (t) => watchTrainer(ctx, t, 'pre-training'),
        });
        return { parameters: r.parameters, vocabSize: r.vocabSize, steps: r.steps, finalLoss: r.finalLoss };
      }),
    'llm.inspect': async ({ dir }) => {
      const i = await llmInfo(dir);
      return {
        dir,
        architecture: i.architecture,
        parameters: i.parameters,
        dtype: i.dtype,
        layers: i.layers,
        hidden: i.hidden,
        vocab: i.vocab,
        maxPositions: i.maxPositions,
        memoryBytes: i.memory.totalBytes,
        weightsBytes: i.memory.weightsBytes,
      };
    },
    'llm.useHf': async ({ project, dir }) => {
      await loadProjectLlm(project, dir);
      return projectSummary(project);
    },
    'align.train': async (p) =>
      started('align.train', `Align ${p.method}${p.steps ? `, ${p.steps} steps` : ''}`, p.project, async (ctx) => {
        const r = await trainAlignment({
          project: p.project,
          method: p.method,
          tasks: p.tasks as TaskId[] | undefined,
          trainCounts: p.trainCounts,
          maxLen: p.maxLen,
          trainEmbeddings: p.trainEmbeddings,
          steps: p.steps,
          batchSize: p.batchSize,
          lr: p.lr,
          resumeRun: p.resumeRun,
          signal: ctx.signal,
          onTrainer: (t, { runId }) => {
            ctx.setRun(runId);
            watchTrainer(ctx, t, 'aligning');
          },
        });
        return { run: r.runId, completed: r.completed, steps: r.steps, finalLoss: r.finalLoss };
      }),
    'align.eval': async ({ project, run, maxTest }) =>
      started('align.eval', `Evaluate ${run}`, project, async (ctx) => {
        ctx.setRun(run);
        const r = await evaluateRun(project, run, {
          maxTest,
          explain: SAMPLE_EXPLANATIONS,
          onProgress: (label, d, t) => {
            ctx.signal.throwIfAborted();
            ctx.progress(`evaluating ${label}`, d, t);
          },
        });
        return r.report;
      }),
    'runs.list': async ({ project }) => listRuns(project),
    'runs.metrics': async ({ project, run }) => ({
      run,
      lines: await readMetricsLines(path.join(runDir(project, run), 'metrics.jsonl')),
    }),
    'runs.eval': async ({ project, run }) => {
      const text = await readFile(path.join(runDir(project, run), 'eval.json'), 'utf8').catch(() => null);
      return text ? alignmentEvalSchema.parse(JSON.parse(text)) : null;
    },
    'explorer.users': async ({ project, query, offset, limit }) => listUsers(project, { query, offset, limit }),
    'explorer.user': async ({ project, user, k }) => userDetail(project, user, k),
    'explorer.attribution': async ({ project, user, item }) => attribution(project, user, item),
    'explain.start': async ({ project, user, item, runs, maxNewTokens }) =>
      started('explain', `Explain item ${item} for user ${user}`, project, async (ctx) => {
        await explainStreaming(project, {
          user,
          item,
          runs,
          maxNewTokens,
          signal: ctx.signal,
          onText: (run, text, done) => ctx.token(run, text, done),
        });
        return { runs, completed: !ctx.signal.aborted };
      }),
    'explain.faithfulness': async ({ project, user, item, text }) => {
      const { dataset } = await readDataset(project);
      const cited = citedTitles(
        text,
        dataset.itemRecords.map((r) => r.title),
        item,
      );
      return faithfulness(project, user, item, cited);
    },
    'pipeline.start': async ({ project, steps }) => {
      const foreign = steps.findIndex((st) => st.params.project !== project);
      if (foreign >= 0) {
        throw Object.assign(new InputError(`step ${foreign + 1} names another project than the pipeline's`), {
          field: `steps[${foreign}].params.project`,
        });
      }
      return pipelines.start(project, steps);
    },
    'pipeline.list': async () => pipelines.list(),
    'pipeline.cancel': async ({ pipeline }) => ({ cancelled: pipelines.cancel(pipeline) }),
    'jobs.list': async () => jobs.list(),
    'jobs.cancel': async ({ job }) => ({ cancelled: jobs.cancel(job) }),
  };
}

/** Runs one validated request through its handler. */
export function dispatch<M extends ApiMethod>(
  handlers: ApiHandlers,
  method: M,
  params: ApiParams<M>,
): Promise<ApiResult<M>> {
  return (handlers[method] as Handler<M>)(params);
}
