/** Hand-written encoded examples (B format: no slots) from their ids and labels, for batch tests. */
import { type EncodedExample, IGNORE_INDEX } from '../../../electron/engine/align/encode.ts';

export function encodedExamples(list: { ids: number[]; labels: number[] }[]): EncodedExample[] {
  return list.map((e) => ({
    ...e,
    slots: [],
    answerStart: e.labels.findIndex((l) => l !== IGNORE_INDEX),
    prompt: { ids: [], slots: [] },
    droppedHistoryTitles: 0,
    cutTextTokens: 0,
  }));
}
