import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/run-cli.ts';

const run = runCli;

const tmp = () => mkdtempSync(path.join(tmpdir(), 'recx-cli-'));
const small = ['--format', 'synthetic', '--users', '60', '--items', '40'];

describe('recx CLI contract', () => {
  it('--help lists the commands, and every command has --help', async () => {
    const top = await run('--help');
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/data/);
    expect(top.stdout).toMatch(/demo/);
    const data = await run('data', '--help');
    expect(data.stdout).toMatch(/import/);
    expect(data.stdout).toMatch(/inspect/);
    for (const cmd of [['data', 'import'], ['data', 'inspect'], ['demo']]) {
      const r = await run(...cmd, '--help');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/--json/);
    }
  });

  it('usage errors exit 2: unknown command, unknown option, bad value, missing required option', async () => {
    expect((await run('frobnicate')).code).toBe(2);
    expect((await run('data', 'import', '--project', tmp(), '--format', 'synthetic', '--bogus')).code).toBe(2);
    expect((await run('data', 'import', '--project', tmp(), '--format', 'xml')).code).toBe(2);
    const bad = await run('data', 'import', '--project', tmp(), ...small, '--k-core', 'five');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--k-core/);
    expect((await run('data', 'import', ...small)).code).toBe(2);
  });

  it('import --json prints exactly one JSON object with the counts; inspect agrees', async () => {
    const project = path.join(tmp(), 'p');
    const r = await run('data', 'import', ...small, '--project', project, '--json');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const out = JSON.parse(lines[0]);
    expect(out).toMatchObject({ project, format: 'synthetic' });
    for (const k of ['users', 'items', 'interactions', 'sparsity']) expect(typeof out[k]).toBe('number');
    expect(out.users).toBeGreaterThan(10);
    const ins = await run('data', 'inspect', '--project', project, '--json');
    expect(ins.code).toBe(0);
    const info = JSON.parse(ins.stdout);
    expect(info).toMatchObject({ users: out.users, items: out.items, interactions: out.interactions });
    expect(info.popularItems).toHaveLength(10);
    expect(info.split).toEqual({ train: out.interactions - 2 * out.users, validation: out.users, test: out.users });
    expect(info.sequenceLength.min).toBeGreaterThanOrEqual(5);
  });

  it('refuses to re-import without --force (exit 1, nothing changed), replaces with --force', async () => {
    const project = path.join(tmp(), 'p');
    expect((await run('data', 'import', ...small, '--project', project)).code).toBe(0);
    const before = readFileSync(path.join(project, 'data', 'seq_items.u32'));
    const again = await run('data', 'import', ...small, '--seed', '5', '--project', project);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/--force/);
    expect(readFileSync(path.join(project, 'data', 'seq_items.u32')).equals(before)).toBe(true);
    const forced = await run('data', 'import', ...small, '--seed', '5', '--project', project, '--force', '--json');
    expect(forced.code).toBe(0);
    expect(readFileSync(path.join(project, 'data', 'seq_items.u32')).equals(before)).toBe(false);
    expect(readdirSync(project).sort()).toEqual(['data', 'project.json']);
  });

  it('import --reproducible stores one thread in project.json; a re-import without it keeps it', async () => {
    const project = path.join(tmp(), 'p');
    const threads = () => JSON.parse(readFileSync(path.join(project, 'project.json'), 'utf8')).threads;
    expect((await run('data', 'import', ...small, '--project', project, '--reproducible')).code).toBe(0);
    expect(threads()).toBe(1);
    expect((await run('data', 'import', ...small, '--project', project, '--force')).code).toBe(0);
    expect(threads()).toBe(1);
  });

  it('bad input exits 1 with one clear message (no stack), a JSON error with --json, and writes nothing', async () => {
    const dir = tmp();
    const file = path.join(dir, 'broken.txt');
    writeFileSync(file, '1 10\n1 11\n1 x\n');
    const project = path.join(dir, 'p');
    const r = await run('data', 'import', '--format', 'sasrec', '--input', file, '--project', project);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/broken\.txt:3/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(readdirSync(dir)).toEqual(['broken.txt']);
    const j = await run('data', 'import', '--format', 'sasrec', '--input', file, '--project', project, '--json');
    expect(j.code).toBe(1);
    expect(JSON.parse(j.stdout).error).toMatchObject({ type: 'DatasetFormatError', line: 3 });
    const verbose = await run(
      '--verbose',
      'data',
      'import',
      '--format',
      'sasrec',
      '--input',
      file,
      '--project',
      project,
    );
    expect(verbose.stderr).toMatch(/\n\s+at /);
  });

  it('inspect of a folder without a dataset is a user error', async () => {
    const r = await run('data', 'inspect', '--project', tmp());
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/recx data import/);
  });
});

describe('the recx executable', () => {
  it('runs from bin/ with tsx, keeps progress off stdout, and exits with the right codes', async () => {
    const exec = promisify(execFile);
    const bin = path.resolve('bin/recx.js');
    const project = path.join(tmp(), 'p');
    const ok = await exec(process.execPath, [bin, 'data', 'import', ...small, '--project', project, '--json']);
    expect(JSON.parse(ok.stdout).project).toBe(project);
    await expect(exec(process.execPath, [bin, 'nope'])).rejects.toMatchObject({ code: 2 });
    await expect(exec(process.execPath, [bin, 'data', 'inspect', '--project', tmp()])).rejects.toMatchObject({
      code: 1,
    });
  });
});
