/**
 * Streamed explanations from alignment runs on a small project (SASRec, tiny LM, two short runs:
 * I and B): the task-7 prompt per method, injected vectors at the placeholders, text that grows
 * then ends with done, determinism, cancellation and the errors a UI can cause.
 */
import { cpSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promptText } from '../../../electron/engine/align/example.ts';
import { runDir } from '../../../electron/engine/align/runs.ts';
import { RATIONALE_FRAMES } from '../../../electron/engine/align/templates.ts';
import { trainAlignment } from '../../../electron/engine/align/train-align.ts';
import { readDataset } from '../../../electron/engine/data/dataset-store.ts';
import type { ProcessedDataset } from '../../../electron/engine/data/preprocess.ts';
import { InputError } from '../../../electron/engine/errors.ts';
import { explainStreaming } from '../../../electron/engine/explain/explain-stream.ts';
import { EXPLANATION_TEMPLATE, explanationExample } from '../../../electron/engine/explain/explanation-prompt.ts';
import { releaseExplorer } from '../../../electron/engine/explain/explorer.ts';
import { loadAlignedLm } from '../../../electron/engine/explain/load-aligned-lm.ts';
import { createTinyLm } from '../../../electron/engine/llm/tiny-lm.ts';
import { sasrecProject } from './explain-fixtures.ts';

let project = '';
let ds: ProcessedDataset;
const runs: Record<'I' | 'B', string> = { I: '', B: '' };
const session = { providers: ['cpu' as const], threads: 1 };
const USER = 5;
const ITEM = 3;

beforeAll(async () => {
  project = await sasrecProject();
  ds = (await readDataset(project)).dataset;
  await createTinyLm(project, { steps: 10, hidden: 16, layers: 1, seqLen: 32, threads: 1 });
  for (const method of ['I', 'B'] as const) {
    const r = await trainAlignment({ project, method, tasks: [7], steps: 2, batchSize: 2, threads: 1 });
    runs[method] = r.runId;
  }
}, 120_000);

afterAll(async () => {
  await releaseExplorer();
});

const historyTitles = () => {
  const h = ds.items.slice(ds.offsets[USER - 1], ds.offsets[USER] - 1);
  return Array.from(h, (i) => ds.itemRecords[i - 1].title);
};

describe('explanationExample', () => {
  it('asks the task-7 question in each method’s format', () => {
    const titles = historyTitles();
    const subject = { user: USER, anchorRow: 17, historyTitles: titles, item: ITEM, itemTitle: 'The Item' };
    const b = explanationExample('B', subject, 1);
    expect(b).toMatchObject({ task: 7, method: 'B', user: USER, anchor: 17, answer: '' });
    expect(RATIONALE_FRAMES[EXPLANATION_TEMPLATE]).toMatch(/^Explain why/);
    expect(promptText(b.segments)).toMatch(/^Explain why .*The Item.* is recommended to /);
    const shown = b.segments.find((s) => s.kind === 'history');
    expect(shown).toEqual({ kind: 'history', titles: titles.slice(-9) });
    expect(b.segments.some((s) => s.kind === 'user' || s.kind === 'item')).toBe(false);
    const i = explanationExample('I', subject, 1);
    expect(i.segments.filter((s) => s.kind !== 'text')).toEqual([
      { kind: 'item', ref: ITEM },
      { kind: 'user', ref: 17 },
    ]);
    const h = explanationExample('H', subject, 1);
    expect(h.segments.map((s) => s.kind).filter((k) => k !== 'text')).toEqual(['item', 'user', 'history']);
    expect(explanationExample('H', subject, 1)).toEqual(h);
  });
});

describe('explainStreaming', () => {
  it('adds the projected vectors at the I prompt’s placeholders only', async () => {
    const lm = await loadAlignedLm(project, runs.I, { session });
    try {
      const subject = { user: USER, anchorRow: 0, historyTitles: historyTitles(), item: ITEM, itemTitle: 'x' };
      const { ids, slots } = lm.encode(explanationExample('I', subject, lm.config.seed)).prompt;
      expect(slots.map((s) => s.kind).sort()).toEqual(['item', 'user']);
      const hidden = lm.runtime.config.hidden;
      const added = lm.injected(slots, ids.length, () => new Float32Array(8).fill(0.5))!;
      expect(added).toHaveLength(ids.length * hidden);
      for (let p = 0; p < ids.length; p++) {
        const row = added.subarray(p * hidden, (p + 1) * hidden);
        const onSlot = slots.some((s) => s.position === p);
        expect(row.some((v) => v !== 0)).toBe(onSlot);
      }
    } finally {
      await lm.release();
    }
  });

  it('streams growing text per run, then the final text with done, the same on a second call', async () => {
    const calls: { run: string; text: string; done: boolean }[] = [];
    const order = [runs.I, runs.B];
    const out = await explainStreaming(project, {
      user: USER,
      item: ITEM,
      runs: order,
      maxNewTokens: 12,
      session,
      onText: (run, text, done) => calls.push({ run, text, done }),
    });
    expect(Object.keys(out)).toEqual(order);
    for (const run of order) {
      const mine = calls.filter((c) => c.run === run);
      expect(mine.at(-1)).toEqual({ run, text: out[run], done: true });
      expect(mine.filter((c) => c.done)).toHaveLength(1);
      for (const c of mine.slice(0, -1)) expect(out[run].startsWith(c.text.trim())).toBe(true);
      expect(out[run].length).toBeGreaterThan(0);
    }
    // Runs are explained one after another.
    expect(calls.findIndex((c) => c.run === runs.B)).toBeGreaterThan(calls.findLastIndex((c) => c.run === runs.I));
    const again = await explainStreaming(project, {
      user: USER,
      item: ITEM,
      runs: order,
      maxNewTokens: 12,
      session,
      onText: () => {},
    });
    expect(again).toEqual(out);
  });

  it('stops on abort: the interrupted run gets no done call and no result', async () => {
    const ctrl = new AbortController();
    const calls: boolean[] = [];
    const out = await explainStreaming(project, {
      user: USER,
      item: ITEM,
      runs: [runs.B, runs.I],
      maxNewTokens: 12,
      signal: ctrl.signal,
      session,
      onText: (_run, _text, done) => {
        calls.push(done);
        ctrl.abort();
      },
    });
    expect(calls).toEqual([false]);
    expect(out).toEqual({});
  });

  it('names an unknown run, user or item, and a run that has not finished', async () => {
    const base = { item: ITEM, maxNewTokens: 4, session, onText: () => {} };
    await expect(explainStreaming(project, { ...base, user: USER, runs: ['nope'] })).rejects.toThrow(/no run "nope"/);
    await expect(explainStreaming(project, { ...base, user: 999, runs: [runs.B] })).rejects.toThrow(InputError);
    await expect(explainStreaming(project, { ...base, user: USER, item: 999, runs: [runs.B] })).rejects.toThrow(
      /item 999/,
    );
    const unfinished = 'align-B-unfinished';
    cpSync(runDir(project, runs.B), runDir(project, unfinished), { recursive: true });
    rmSync(path.join(runDir(project, unfinished), 'done.json'));
    await expect(explainStreaming(project, { ...base, user: USER, runs: [unfinished] })).rejects.toThrow(
      /has not finished/,
    );
  });
});
