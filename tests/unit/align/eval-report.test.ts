/** The printed alignment table (golden string) and the eval.json shape. */
import { describe, expect, it } from 'vitest';
import {
  alignmentReport,
  alignmentReportSchema,
  alignmentTable,
} from '../../../electron/engine/align/eval/alignment-report.ts';
import type { AlignmentMetrics } from '../../../electron/engine/align/eval/evaluate-alignment.ts';

function metrics(t1: [number, number], t2: number, t3: number, t4: number, t6: number | null): AlignmentMetrics {
  return {
    T1: { 'HR@5': t1[0], 'NDCG@5': t1[1] },
    T2: { 'NDCG@5': t2 },
    T3: { ACC: t3 },
    T4: { TitleACC: t4 },
    T6: t6 === null ? null : { HCR: t6 },
    counts: { T1: 10, T2: 10, T3: 20, T4: 10, T6: t6 === null ? 0 : 10, skipped: 5 },
  };
}

const B = metrics([0.5, 0.25], 0.75, 0.8, 0.125, null);
const I = metrics([0.6, 0.4], 0.7, 0.9, 0.5, 1 / 3);
const RANDOM = metrics([0.1, 0.05], 0.61317, 0.5, 0.02, 0.18);
const UNTRAINED = metrics([0, 0], 0.4, 0.55, 0, 0.01);
const EXTRA = metrics([1, 1], 1, 1, 1, 1);

describe('alignmentTable', () => {
  it('renders methods, then baselines, then other labels, as aligned columns', () => {
    // Given out of order: rows still come B, I, H, random, popularity, untrained, then the rest.
    const text = alignmentTable({ oracle: EXTRA, untrained: UNTRAINED, I, random: RANDOM, B });
    expect(text).toBe(
      [
        'method        T1 HR@5  T1 NDCG@5  T2 NDCG@5  T3 ACC  T4 title ACC  T6 HCR',
        'B              0.5000     0.2500     0.7500  0.8000        0.1250       -',
        'I              0.6000     0.4000     0.7000  0.9000        0.5000  0.3333',
        'random         0.1000     0.0500     0.6132  0.5000        0.0200  0.1800',
        'untrained LM   0.0000     0.0000     0.4000  0.5500        0.0000  0.0100',
        'oracle         1.0000     1.0000     1.0000  1.0000        1.0000  1.0000',
      ].join('\n'),
    );
  });

  it('a single row still has the header', () => {
    expect(alignmentTable({ H: { ...B, T1: null } }).split('\n')).toEqual([
      'method  T1 HR@5  T1 NDCG@5  T2 NDCG@5  T3 ACC  T4 title ACC  T6 HCR',
      'H             -          -     0.7500  0.8000        0.1250       -',
    ]);
  });
});

describe('alignmentReport', () => {
  it('has the issue shape: method, T1…T6, counts, baselines', () => {
    const report = alignmentReport('I', I, { random: RANDOM, untrained: UNTRAINED });
    const json = JSON.parse(JSON.stringify(report));
    expect(Object.keys(json)).toEqual(['method', 'T1', 'T2', 'T3', 'T4', 'T6', 'counts', 'baselines']);
    expect(json.method).toBe('I');
    expect(json.T1).toEqual({ 'HR@5': 0.6, 'NDCG@5': 0.4 });
    expect(json.T2).toEqual({ 'NDCG@5': 0.7 });
    expect(json.T3).toEqual({ ACC: 0.9 });
    expect(json.T6).toEqual({ HCR: 1 / 3 });
    expect(Object.keys(json.baselines)).toEqual(['random', 'untrained']);
    expect(alignmentReportSchema.parse(json)).toEqual(report);
    // A method without task 6 keeps the key, as null.
    expect(JSON.parse(JSON.stringify(alignmentReport('B', B, {}))).T6).toBeNull();
    expect(() => alignmentReportSchema.parse({ ...json, T3: { acc: 1 } })).toThrow();
  });
});
