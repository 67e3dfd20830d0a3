/** Alignment examples and a scripted Answerer for the evaluation tests. */
import type { Answerer, GenerateRequest } from '../../../electron/engine/align/eval/answerer.ts';
import type { EvalExample } from '../../../electron/engine/align/eval/eval-example.ts';
import type { ExampleMeta, TaskId } from '../../../electron/engine/align/example.ts';

/** An example with the fields evaluation reads, no prompt segments. */
export function example(task: TaskId, answer: string, meta: Partial<ExampleMeta> = {}): EvalExample {
  return { task, answer, meta: { template: 0, ...meta }, segments: [] };
}

/** As the task generators (align/tasks) write them. */
export const top1 = (title: string) => example(1, title, { top1Title: title });
export const ranking = (order: string[]) => example(2, order.join('; '), { modelOrderTitles: order });
export const interest = (positive: boolean, item?: number) =>
  example(3, positive ? 'Yes' : 'No', { label: positive ? 'Yes' : 'No', ...(item === undefined ? {} : { item }) });
export const titleRecovery = (title: string) => example(4, title, { variant: 'title', item: 1 });
export const history = (titles: string[]) => example(6, titles.join('; '), { historyTitles: titles });

export interface ScriptedAnswerer extends Answerer {
  requests: { tasks: number[]; req: GenerateRequest }[];
  yesNoCalls: number;
}

/** Answers by example: `generate` gives the candidate list, `yesNo` the [yes, no] logits. */
export function scriptedAnswerer(script: {
  generate?: (ex: EvalExample, req: GenerateRequest) => string[];
  yesNo?: (ex: EvalExample) => [number, number];
}): ScriptedAnswerer {
  const self: ScriptedAnswerer = {
    requests: [],
    yesNoCalls: 0,
    async generate(examples, req) {
      self.requests.push({ tasks: examples.map((e) => e.task), req });
      return examples.map((ex) => script.generate?.(ex, req) ?? []);
    },
    async yesNo(examples) {
      self.yesNoCalls++;
      return Float32Array.from(examples.flatMap((ex) => script.yesNo?.(ex) ?? [0, 0]));
    },
  };
  return self;
}
