import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTinyLmInChild } from '../../electron/cli/commands/demo-tiny.ts';
import { importDataset } from '../../electron/engine/data/import-dataset.ts';
import { loadHfModelDir } from '../../electron/engine/llm/hf-model-dir.ts';
import { createTinyLm, type TinyLmResult } from '../../electron/engine/llm/tiny-lm.ts';
import { loadTokenizer } from '../../electron/engine/llm/tokenizer-files.ts';
import { runCli } from '../helpers/run-cli.ts';

const run = runCli;

let project = '';
let tiny: TinyLmResult;
const losses: number[] = [];

beforeAll(async () => {
  project = path.join(mkdtempSync(path.join(tmpdir(), 'recx-tiny-')), 'p');
  await importDataset({ format: 'synthetic', project, synthetic: { users: 60, items: 50 }, seed: 2 });
  tiny = await createTinyLm(project, {
    steps: 60,
    hidden: 32,
    layers: 1,
    seqLen: 32,
    threads: 1,
    onTrainer: (t) => t.on('step', (e) => losses.push(e.loss)),
  });
});

describe('built-in tiny LM', () => {
  it('pre-trains on the project corpus (loss falls) and saves a loadable Hugging Face folder', async () => {
    expect(losses).toHaveLength(60);
    const head = losses.slice(0, 5).reduce((a, b) => a + b) / 5;
    const tail = losses.slice(-5).reduce((a, b) => a + b) / 5;
    expect(tail).toBeLessThan(head * 0.7);
    const model = await loadHfModelDir(tiny.dir);
    expect(model.config).toMatchObject({ hidden: 32, layers: 1, vocabSize: tiny.vocabSize, tieEmbeddings: true });
    const tok = await loadTokenizer(tiny.dir);
    expect(tok.vocabSize).toBe(tiny.vocabSize);
    expect(tok.tokenToId('<user>')).not.toBeNull();
    const title = JSON.parse(readFileSync(path.join(project, 'data', 'items.jsonl'), 'utf8').split('\n')[0]).title;
    expect(tok.decode(tok.encode(title, { addSpecialTokens: false }))).toBe(title);
    const cfg = JSON.parse(readFileSync(path.join(tiny.dir, 'config.json'), 'utf8'));
    expect(cfg).toMatchObject({ model_type: 'llama', architectures: ['LlamaForCausalLM'], tie_word_embeddings: true });
    const projectFile = JSON.parse(readFileSync(path.join(project, 'project.json'), 'utf8'));
    expect(projectFile.llm).toEqual({ kind: 'tiny', path: path.join('llm', 'tiny') });
  });

  it('a stopped build saves nothing: the project keeps the LM it had', async () => {
    const before = readFileSync(path.join(project, 'llm', 'tiny', 'model.safetensors'));
    const stop = new AbortController();
    const build = createTinyLm(project, {
      steps: 60,
      hidden: 32,
      layers: 1,
      seqLen: 32,
      threads: 1,
      signal: stop.signal,
      onTrainer: (t) => t.on('step', (e) => e.step === 5 && stop.abort()),
    });
    await expect(build).rejects.toMatchObject({ name: 'AbortError' });
    expect(readFileSync(path.join(project, 'llm', 'tiny', 'model.safetensors')).equals(before)).toBe(true);
  });

  it('recx llm generate / info / load work on the project model', async () => {
    const g = await run(
      'llm',
      'generate',
      '--project',
      project,
      '--prompt',
      'A user enjoyed',
      '--max-new-tokens',
      '8',
      '--json',
    );
    expect(g.code).toBe(0);
    const out = JSON.parse(g.stdout);
    expect(out.sequences).toHaveLength(1);
    expect(out.sequences[0].tokens.length).toBeGreaterThan(0);
    expect(out.sequences[0].tokens.length).toBeLessThanOrEqual(8);
    const beams = JSON.parse(
      (
        await run(
          'llm',
          'generate',
          '--project',
          project,
          '--prompt',
          'Title:',
          '--max-new-tokens',
          '5',
          '--beams',
          '3',
          '--json',
        )
      ).stdout,
    );
    expect(beams.sequences).toHaveLength(3);
    const info = await run('llm', 'info', '--path', tiny.dir, '--json');
    expect(info.code).toBe(0);
    expect(JSON.parse(info.stdout)).toMatchObject({ parameters: tiny.parameters });
    const load = await run(
      'llm',
      'load',
      '--project',
      project,
      '--path',
      path.resolve('tests/fixtures/llm/tiny-llama-f32'),
    );
    expect(load.code).toBe(1); // that fixture folder has no tokenizer.json
    expect(load.stderr).toMatch(/tokenizer\.json/);
  });
});

describe('the demo’s tiny LM in a child process', () => {
  it('builds it with `recx llm create-tiny` and reports its result and progress; a failure names the command', async () => {
    const other = path.join(mkdtempSync(path.join(tmpdir(), 'recx-tiny-child-')), 'p');
    await importDataset({ format: 'synthetic', project: other, synthetic: { users: 60, items: 50 }, seed: 2 });
    const lines: string[] = [];
    const child = createTinyLmInChild(other, { seed: 2, threads: 1, steps: 12 }, (s) => lines.push(s));
    const r = await child.result;
    expect(r).toMatchObject({ dir: path.join(other, 'llm', 'tiny'), steps: 12 });
    expect(r.vocabSize).toBeGreaterThan(10);
    expect((await loadHfModelDir(r.dir)).config.vocabSize).toBe(r.vocabSize);
    expect(lines.join('')).toMatch(/tiny-lm 12\/12/);
    const missing = createTinyLmInChild(path.join(other, 'nope'), { seed: 2, threads: 1 }, () => {});
    await expect(missing.result).rejects.toThrow(/building the tiny LM failed \(exit \d+\)/);
  });
});
