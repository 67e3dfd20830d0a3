/**
 * Held-out loss per task during alignment training: a forward-only session of the same model
 * (dropout off) fed the current LoRA weights, over a fixed sample of test examples of each task.
 * The trainer reports it every N steps as `loss/T<k>` (the per-task loss of the event stream).
 */
import type { HostTensor } from '../graph/graph.ts';
import { GraphSession, type SessionSettings } from '../graph/session.ts';
import type { ModelBuilder } from '../graph/train-step.ts';
import type { AlignBatches } from './align-batches.ts';
import type { EncodedExample } from './encode.ts';

export class TaskLossProbe {
  private constructor(
    private readonly session: GraphSession,
    private readonly paramNames: string[],
    private readonly samples: Map<number, EncodedExample[]>,
    private readonly batches: AlignBatches,
  ) {}

  static async create(
    builder: ModelBuilder,
    samples: Map<number, EncodedExample[]>,
    batches: AlignBatches,
    settings: SessionSettings = {},
  ): Promise<TaskLossProbe> {
    const model = builder({ train: false });
    model.graph.output(model.loss, 'loss');
    const names = model.params.map((p) => p.value.name);
    return new TaskLossProbe(await GraphSession.create(model.graph, settings), names, samples, batches);
  }

  async run(params: Map<string, HostTensor>): Promise<Record<string, number>> {
    const feeds: Record<string, HostTensor> = {};
    for (const n of this.paramNames) feeds[n] = params.get(n)!;
    const out: Record<string, number> = {};
    for (const [task, items] of this.samples) {
      if (items.length === 0) continue;
      const { feeds: batch } = this.batches.assemble(items);
      const r = await this.session.run({ ...feeds, ...batch });
      out[`loss/T${task}`] = Number(r.loss.data[0]);
    }
    return out;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
