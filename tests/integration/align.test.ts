import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runAlignJobs } from '../../electron/cli/commands/demo-align.ts';
import { loadPeftAdapter } from '../../electron/engine/llm/peft-adapter.ts';
import { runCli } from '../helpers/run-cli.ts';
import { makeAlignProject } from './helpers/align-project.ts';

const run = runCli;

const worker = path.resolve('tests/integration/helpers/align-kill-worker.ts');
const runWorker = (project: string, killAt: string, resume = '') => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', worker, project, killAt, resume], { encoding: 'utf8' });
  return {
    signal: r.signal,
    lines: r.stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l)),
  };
};

let project = '';
beforeAll(async () => {
  project = await makeAlignProject();
}, 120_000);

describe('alignment end to end (small)', () => {
  it('align train → runs → eval through the CLI, with the paper metrics and baselines', async () => {
    const t = await run(
      'align',
      'train',
      '--project',
      project,
      '--method',
      'I',
      '--tasks',
      '1,2,3,7',
      '--steps',
      '6',
      '--batch-size',
      '4',
      '--eval-every',
      '3',
      '--json',
    );
    expect(t.code).toBe(0);
    const trained = JSON.parse(t.stdout);
    expect(trained).toMatchObject({ completed: true, steps: 6 });
    const iConfig = JSON.parse(readFileSync(path.join(project, 'runs', trained.run, 'config.json'), 'utf8'));
    expect(iConfig.trainEmbeddings).toBe(true); // every method trains its token embeddings by default
    const runs = JSON.parse((await run('align', 'runs', '--project', project, '--json')).stdout).runs;
    expect(runs.map((r: { id: string }) => r.id)).toContain(trained.run);
    const e = await run(
      'align',
      'eval',
      '--project',
      project,
      '--run',
      trained.run,
      '--max-test',
      '12',
      '--explain',
      '2',
      '--json',
    );
    expect(e.code).toBe(0);
    const report = JSON.parse(e.stdout);
    expect(report.method).toBe('I');
    expect(report.t2Decoding).toBe('constrained-beam'); // recorded, so re-evaluations with another decoding differ visibly
    expect(report.explanations).toMatchObject({ explanations: 2 }); // DESIGN.md §7 faithfulness of 2 explanations
    const explained = readFileSync(path.join(project, 'runs', trained.run, 'explanations.jsonl'), 'utf8');
    expect(explained.trim().split('\n')).toHaveLength(2);
    expect(report.T1['HR@5']).toBeGreaterThanOrEqual(0);
    expect(Object.keys(report.baselines).sort()).toEqual(['popularity', 'random', 'untrained']);
    const metrics = readFileSync(path.join(project, 'runs', trained.run, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n');
    const lines = metrics.map((l) => JSON.parse(l));
    expect(lines.filter((l) => !l.eval).map((l) => l.step)).toEqual([1, 2, 3, 4, 5, 6]);
    const evals = lines.filter((l) => l.eval);
    expect(evals.map((l) => l.step)).toEqual([3, 6]);
    for (const k of ['loss/T1', 'loss/T2', 'loss/T3']) expect(evals[1].eval[k]).toBeGreaterThan(0);
    expect((await run('align', 'train', '--project', project, '--method', 'I', '--tasks', '9')).code).toBe(2);
    const acc = await run(
      'align',
      'train',
      '--project',
      project,
      '--method',
      'H',
      '--tasks',
      '1,6',
      '--train-counts',
      '1=7,6=5',
      '--steps',
      '2',
      '--batch-size',
      '2',
      '--accumulation',
      '2',
      '--no-train-embeddings',
      '--json',
    );
    expect(acc.code).toBe(0);
    const accRun = JSON.parse(acc.stdout);
    expect(accRun).toMatchObject({ completed: true, steps: 2, examples: 12 }); // 7 of task 1, 5 of task 6
    const cfg = JSON.parse(readFileSync(path.join(project, 'runs', accRun.run, 'config.json'), 'utf8'));
    expect(cfg.trainCounts).toEqual({ 1: 7, 6: 5 });
    expect(cfg.trainEmbeddings).toBeUndefined(); // --no-train-embeddings: the table stays frozen, nothing saved
    expect(existsSync(path.join(project, 'runs', accRun.run, 'embeddings.safetensors'))).toBe(false);
  });

  it('examples too long for --max-len even without history are skipped, warned about and recorded, not cut', async () => {
    // On this project every ranking prompt needs 52+ tokens without its history, every task-3 one at most 41.
    const t = await run(
      'align',
      'train',
      ...['--project', project, '--method', 'B', '--tasks', '2,3', '--max-len', '50'],
      ...['--steps', '2', '--batch-size', '2', '--json'],
    );
    expect(t.code).toBe(0);
    const trained = JSON.parse(t.stdout);
    const cfg = JSON.parse(readFileSync(path.join(project, 'runs', trained.run, 'config.json'), 'utf8'));
    expect(cfg.maxLen).toBe(50);
    // Trained token embeddings (the default); evaluation below loads them.
    expect(cfg.trainEmbeddings).toBe(true);
    expect(readFileSync(path.join(project, 'runs', trained.run, 'embeddings.safetensors')).length).toBeGreaterThan(0);
    const skipped = cfg.skippedTooLong['2'];
    expect(skipped).toBeGreaterThan(0);
    expect(Object.keys(cfg.skippedTooLong)).toEqual(['2']);
    expect(t.stderr).toContain(
      `warning: training examples longer than 50 tokens even without history, skipped: task 2: ${skipped} of ${skipped}`,
    );
    const e = await run(
      'align',
      'eval',
      '--project',
      project,
      '--run',
      trained.run,
      '--max-test',
      '4',
      '--threads',
      '1',
    );
    expect(e.code).toBe(0);
    expect(e.stdout).toMatch(/Test examples left out as too long for the run's maxLen: task 2 \d+/);
    const report = JSON.parse(readFileSync(path.join(project, 'runs', trained.run, 'eval.json'), 'utf8'));
    expect(report.T2).toBeNull();
    expect(report.T3.ACC).toBeGreaterThanOrEqual(0);
    expect(report.skippedTooLong['2']).toBeGreaterThan(0);
    const none = await run('align', 'train', '--project', project, '--method', 'B', '--tasks', '2', '--max-len', '50');
    expect(none.code).not.toBe(0);
    expect(none.stderr).toMatch(/no training example fits 50 tokens \(--max-len\): task 2: \d+ of \d+/);
  });

  it('resumes exactly after kill -9: the adapter equals an uninterrupted run’s', async () => {
    const full = runWorker(project, '');
    const fullRun = full.lines[0].run;
    const killed = runWorker(project, '8');
    expect(killed.signal).toBe('SIGKILL');
    const killedRun = killed.lines[0].run;
    const resumed = runWorker(project, '', killedRun);
    expect(resumed.lines.at(-1).done).toMatchObject({ completed: true, steps: 12 });
    const steps = readFileSync(path.join(project, 'runs', killedRun, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).step);
    expect(steps).toEqual([...Array(12).keys()].map((k) => k + 1));
    const a = await loadPeftAdapter(path.join(project, 'runs', fullRun, 'adapter'));
    const b = await loadPeftAdapter(path.join(project, 'runs', killedRun, 'adapter'));
    for (const [k, t] of a.weights)
      expect(Buffer.from(b.weights.get(k)!.data.buffer).equals(Buffer.from(t.data.buffer)), k).toBe(true);
    // The trained embedding table (a host parameter) resumes exactly too.
    const table = (run: string) => readFileSync(path.join(project, 'runs', run, 'embeddings.safetensors'));
    expect(table(killedRun).equals(table(fullRun))).toBe(true);
  });

  it('the demo aligns methods side by side in child processes: results in job order, progress relayed', async () => {
    const job = { project, seed: 3, threads: 1, steps: 3, maxTest: 6, explain: 1 };
    const lines: string[] = [];
    const [b, i] = await runAlignJobs(
      [
        { ...job, method: 'B' },
        { ...job, method: 'I' },
      ],
      2,
      (s) => lines.push(s),
    );
    expect([b.method, i.method]).toEqual(['B', 'I']);
    expect(b.runId).toMatch(/^align-B-/);
    expect(i.report.method).toBe('I');
    expect(i.metrics.T3?.ACC).toBeGreaterThanOrEqual(0);
    expect(Object.keys(b.baselines).sort()).toEqual(['popularity', 'random', 'untrained']);
    expect(i.explanations).toHaveLength(1);
    expect(lines.some((l) => l.startsWith('align B 3/3'))).toBe(true);
    expect(lines.some((l) => l.startsWith('align I 3/3'))).toBe(true);
    // A failing child names its method and what it printed.
    await expect(runAlignJobs([{ ...job, method: 'H', project: `${project}-missing` }], 2, () => {})).rejects.toThrow(
      /aligning method H failed \(exit 1\).*no dataset found/,
    );
  });
});
