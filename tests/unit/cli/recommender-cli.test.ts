import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/run-cli.ts';

const run = runCli;

let project = '';
beforeAll(async () => {
  project = path.join(mkdtempSync(path.join(tmpdir(), 'recx-cli-rec-')), 'p');
  const r = await run(
    'data',
    'import',
    '--format',
    'synthetic',
    '--users',
    '80',
    '--items',
    '60',
    '--project',
    project,
  );
  expect(r.code).toBe(0);
});

describe('recx recommender', () => {
  it('eval before training is a user error naming the command to run', async () => {
    const r = await run('recommender', 'eval', '--project', project);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/recx recommender train/);
  });

  it('train --json, eval --json and export --json each print one JSON object', async () => {
    const t = await run(
      'recommender',
      'train',
      '--project',
      project,
      '--epochs',
      '2',
      '--hidden',
      '16',
      '--max-len',
      '10',
      '--json',
    );
    expect(t.code).toBe(0);
    const trained = JSON.parse(t.stdout);
    expect(trained).toMatchObject({ completed: true, epochs: 2 });
    expect(trained.settings).toMatchObject({ model: 'sasrec', hidden: 16, maxLen: 10 });
    const e = await run('recommender', 'eval', '--project', project, '--json');
    expect(e.code).toBe(0);
    const report = JSON.parse(e.stdout);
    for (const k of ['HR@5', 'NDCG@5', 'HR@10', 'NDCG@10', 'HR@20', 'NDCG@20']) {
      expect(report.full[k]).toBeGreaterThanOrEqual(0);
      expect(report.sampled100[k]).toBeGreaterThanOrEqual(0);
      expect(report.baselines.popularity.full[k]).toBeGreaterThanOrEqual(0);
      expect(report.baselines.random.full[k]).toBeGreaterThanOrEqual(0);
    }
    const x = await run('recommender', 'export', '--project', project, '--max-anchors', '3', '--json');
    expect(x.code).toBe(0);
    expect(JSON.parse(x.stdout).counts.testAnchors).toBe(report.users);
  });

  it('rejects unknown presets and bad values as usage errors', async () => {
    expect((await run('recommender', 'train', '--project', project, '--preset', 'nope')).code).toBe(2);
    expect((await run('recommender', 'train', '--project', project, '--lr', '-1')).code).toBe(2);
    expect((await run('recommender', 'train', '--project', project, '--model', 'gru')).code).toBe(2);
  });
});
