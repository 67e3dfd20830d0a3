/**
 * How alignment metrics are reported: the `eval.json` shape (one method, with the baselines every
 * table carries, DESIGN.md §7) and the printed table (rows = methods B / I / H, then the baselines;
 * columns = the paper's metrics).
 */
import { z } from 'zod';
import { type T2Decoding, t2DecodingSchema } from '../../../contracts/api.ts';
import { type ExplanationSummary, explanationSummarySchema } from '../../explain/explanation-scores.ts';
import type { AlignmentMetrics } from './evaluate-alignment.ts';

/** Baseline labels, in table order. */
export const BASELINE_LABELS = ['random', 'popularity', 'untrained'] as const;
export type BaselineLabel = (typeof BASELINE_LABELS)[number];

const ROW_ORDER: readonly string[] = ['B', 'I', 'H', ...BASELINE_LABELS];
const ROW_NAMES: Readonly<Record<string, string>> = { untrained: 'untrained LM' };

const score = z.number();
export const alignmentMetricsSchema = z.object({
  T1: z.object({ 'HR@5': score, 'NDCG@5': score }).nullable(),
  T2: z.object({ 'NDCG@5': score }).nullable(),
  T3: z.object({ ACC: score }).nullable(),
  T4: z.object({ TitleACC: score }).nullable(),
  T6: z.object({ HCR: score }).nullable(),
  counts: z.object({
    T1: z.number().int(),
    T2: z.number().int(),
    T3: z.number().int(),
    T4: z.number().int(),
    T6: z.number().int(),
    skipped: z.number().int(),
  }),
});

/** `{"method":"I","T1":{"HR@5":…,"NDCG@5":…},"T2":{"NDCG@5":…},"T3":{"ACC":…},…,"baselines":{…}}`. */
export const alignmentReportSchema = alignmentMetricsSchema.extend({
  method: z.string(),
  /** How the LMs decoded task 2 (evaluate-alignment.ts): among the candidates' orderings, or freely. */
  t2Decoding: t2DecodingSchema.optional(),
  /** DESIGN.md §7 explanation scores of the run's sample explanations (when it generated some). */
  explanations: explanationSummarySchema.optional(),
  /** I/H: task 3 again with every user vector swapped for another user's (eval/user-shuffle.ts). */
  controls: z.object({ T3UserShuffledACC: score }).optional(),
  /** Test examples per task ("2": n) left out as longer than the run's maxLen even without their history. */
  skippedTooLong: z.record(z.string(), z.number().int()).optional(),
  baselines: z.record(z.string(), alignmentMetricsSchema),
});
export type AlignmentReport = z.infer<typeof alignmentReportSchema>;

export function alignmentReport(
  method: string,
  metrics: AlignmentMetrics,
  baselines: Readonly<Record<string, AlignmentMetrics>>,
  t2Decoding?: T2Decoding,
): AlignmentReport {
  return { method, ...metrics, ...(t2Decoding ? { t2Decoding } : {}), baselines: { ...baselines } };
}

interface Column {
  header: string;
  value: (m: AlignmentMetrics) => number | undefined;
}

const COLUMNS: readonly Column[] = [
  { header: 'T1 HR@5', value: (m) => m.T1?.['HR@5'] },
  { header: 'T1 NDCG@5', value: (m) => m.T1?.['NDCG@5'] },
  { header: 'T2 NDCG@5', value: (m) => m.T2?.['NDCG@5'] },
  { header: 'T3 ACC', value: (m) => m.T3?.ACC },
  { header: 'T4 title ACC', value: (m) => m.T4?.TitleACC },
  { header: 'T6 HCR', value: (m) => m.T6?.HCR },
];

/** Known labels in ROW_ORDER, then any others in the order given. */
function orderedLabels(labels: readonly string[]): string[] {
  const known = ROW_ORDER.filter((l) => labels.includes(l));
  return [...known, ...labels.filter((l) => !ROW_ORDER.includes(l))];
}

/**
 * Aligned text: the label column left-aligned, metric columns right-aligned with 4 decimals, "-"
 * where a task has no examples; columns separated by two spaces, no trailing spaces.
 */
export function alignmentTable(results: Readonly<Record<string, AlignmentMetrics>>): string {
  const labels = orderedLabels(Object.keys(results));
  const header = ['method', ...COLUMNS.map((c) => c.header)];
  const rows = labels.map((l) => [
    ROW_NAMES[l] ?? l,
    ...COLUMNS.map((c) => {
      const v = c.value(results[l]);
      return v === undefined ? '-' : v.toFixed(4);
    }),
  ]);
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
  const line = (cells: string[]) =>
    cells.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join('  ');
  return [header, ...rows].map(line).join('\n');
}

/** "Test examples left out as too long for the run's maxLen: task 2 14, task 6 3", or "" when none were. */
export function tooLongLine(report: AlignmentReport): string {
  const parts = Object.entries(report.skippedTooLong ?? {}).map(([task, n]) => `task ${task} ${n}`);
  return parts.length === 0 ? '' : `Test examples left out as too long for the run's maxLen: ${parts.join(', ')}`;
}

/** "Task 3 with each user's vector swapped for another user's: I 0.80 (0.91 with their own)", or "" without controls. */
export function userShuffleLine(reports: Readonly<Record<string, AlignmentReport>>): string {
  const parts = Object.entries(reports).flatMap(([m, r]) =>
    r.controls && r.T3
      ? [`${m} ${r.controls.T3UserShuffledACC.toFixed(4)} (${r.T3.ACC.toFixed(4)} with their own)`]
      : [],
  );
  return parts.length === 0 ? '' : `Task 3 with each user's vector swapped for another user's: ${parts.join(', ')}`;
}

/** DESIGN.md §7's explanation scores, one row per method. */
export function faithfulnessTable(rows: Record<string, ExplanationSummary | undefined>): string {
  const f = (x: number | null | undefined) => (x === null || x === undefined ? '-' : x.toFixed(3));
  const lines = ['method  citing  validity  score drop: cited  random'];
  for (const [m, r] of Object.entries(rows)) {
    if (!r) continue;
    lines.push(
      `${m.padEnd(6)}  ${`${r.citing}/${r.explanations}`.padStart(6)}  ${f(r.citationValidity).padStart(8)}  ${f(r.citedDrop).padStart(18)}  ${f(r.randomDrop).padStart(6)}`,
    );
  }
  return `Explanation faithfulness (history items the explanation cites removed, vs as many random ones):\n${lines.join('\n')}`;
}
