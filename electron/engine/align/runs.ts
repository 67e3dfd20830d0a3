/** Alignment runs on disk: `<project>/runs/<id>/` with config.json, metrics.jsonl, checkpoint/, adapter/, eval.json. */
import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { TrainCounts } from '../../contracts/train-counts.ts';
import { InputError } from '../errors.ts';
import type { LoraConfig } from '../models/lora.ts';
import { writeFileAtomic } from '../project/atomic-io.ts';
import type { Method, TaskId } from './example.ts';
import type { VectorScale } from './vector-scale.ts';

/** A run's trained token embedding table (`model.embed_tokens.weight`), when it trained one. */
export const EMBEDDINGS_FILE = 'embeddings.safetensors';

export interface AlignRunConfig {
  method: Method;
  tasks: TaskId[];
  /** Training examples per task where the run did not use the defaults. */
  trainCounts?: TrainCounts;
  seed: number;
  steps: number;
  batchSize: number;
  accumulation: number;
  lr: number;
  /** The projectors' learning rate is lr times this (absent in older runs: 1). */
  projectorLrScale?: number;
  lora: LoraConfig;
  maxLen: number;
  /** The token embedding table was trained too (saved as EMBEDDINGS_FILE); absent: frozen. */
  trainEmbeddings?: boolean;
  /** Training examples per task skipped as longer than maxLen even without their history. */
  skippedTooLong?: Partial<Record<TaskId, number>>;
  llmDir: string;
  recommenderKind: string;
  /** What the recommender's vectors were multiplied by in training (vector-scale.ts); absent in older runs. */
  vectorScale?: VectorScale;
}

export const RUNS_DIR = 'runs';

export const runDir = (project: string, id: string) => path.join(project, RUNS_DIR, id);

/** `align-I-20261129-013512`: method and start time, readable and sortable. */
export function newRunId(method: Method, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `align-${method}-${stamp}`;
}

/**
 * Creates the folder of a new run and returns its id: `newRunId`, or with `-2`, `-3`, … when a run
 * started in the same second already has that id (mkdir without `recursive` fails on an existing
 * folder, so two processes can never get the same one).
 */
export async function createRunDir(project: string, method: Method, now = new Date()): Promise<string> {
  await mkdir(path.join(project, RUNS_DIR), { recursive: true });
  const base = newRunId(method, now);
  for (let k = 1; ; k++) {
    const id = k === 1 ? base : `${base}-${k}`;
    try {
      await mkdir(runDir(project, id));
      return id;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}

export async function writeRunConfig(dir: string, cfg: AlignRunConfig): Promise<void> {
  await writeFileAtomic(path.join(dir, 'config.json'), `${JSON.stringify(cfg, null, 2)}\n`);
}

export async function readRunConfig(project: string, id: string): Promise<AlignRunConfig> {
  const file = path.join(runDir(project, id), 'config.json');
  const text = await readFile(file, 'utf8').catch(() => {
    throw new InputError(`${project}: no run "${id}" (missing ${file}); list runs with 'recx align runs'`);
  });
  return JSON.parse(text) as AlignRunConfig;
}

export interface RunSummary {
  id: string;
  method: Method;
  steps: number;
  completed: boolean;
  finalLoss: number | null;
  evaluated: boolean;
}

export async function listRuns(project: string): Promise<RunSummary[]> {
  const ids = (await readdir(path.join(project, RUNS_DIR)).catch(() => [] as string[])).sort();
  const out: RunSummary[] = [];
  for (const id of ids) {
    const cfg = await readRunConfig(project, id).catch(() => null);
    if (!cfg) continue;
    const done = await readFile(path.join(runDir(project, id), 'done.json'), 'utf8')
      .then(JSON.parse)
      .catch(() => null);
    const evaluated = await readFile(path.join(runDir(project, id), 'eval.json'), 'utf8')
      .then(() => true)
      .catch(() => false);
    out.push({
      id,
      method: cfg.method,
      steps: cfg.steps,
      completed: !!done,
      finalLoss: done?.finalLoss ?? null,
      evaluated,
    });
  }
  return out;
}
