/**
 * An ORT session over an .onnx file someone else exported (an auditor's user encoder), as opposed
 * to GraphSession, which runs graphs we emit. It exposes the model's declared inputs and outputs so
 * callers can check names, element types and ranks before running it. Providers are tried in the
 * same order as GraphSession (the first that loads wins).
 */
import { availableParallelism } from 'node:os';
import * as ort from 'onnxruntime-node';
import type { HostTensor } from './graph.ts';
import { DEFAULT_PROVIDERS, openWithFallback, type ProviderName } from './providers.ts';
import { fromOrtTensor, type SessionSettings, toOrtTensor } from './session.ts';

/** A declared input or output; `shape` is null when the model does not declare one. */
export interface OnnxValueInfo {
  name: string;
  /** ORT element type ('int64', 'float32', …); null for non-tensor values (sequences, maps). */
  type: string | null;
  /** Per dimension a size, a symbolic name, or null when unnamed. */
  shape: (number | string | null)[] | null;
}

function valueInfo(m: ort.InferenceSession.ValueMetadata): OnnxValueInfo {
  if (!m.isTensor) return { name: m.name, type: null, shape: null };
  // ORT reports an undeclared shape as []; a rank-0 declaration reads the same and is treated alike.
  const shape = m.shape.length === 0 ? null : m.shape.map((d) => (d === '' || d === undefined ? null : d));
  return { name: m.name, type: m.type, shape };
}

export class OnnxFileSession {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly provider: ProviderName,
    readonly inputs: OnnxValueInfo[],
    readonly outputs: OnnxValueInfo[],
  ) {}

  /** Loads `file`; throws the runtime's reason (first line) when no provider can load it. */
  static async open(file: string, settings: SessionSettings = {}): Promise<OnnxFileSession> {
    const { value: session, provider } = await openWithFallback(
      settings.providers ?? DEFAULT_PROVIDERS,
      (p) =>
        ort.InferenceSession.create(file, {
          executionProviders: [p],
          intraOpNumThreads: settings.threads ?? availableParallelism(),
          interOpNumThreads: 1,
          executionMode: 'sequential',
          extra: { session: { intra_op: { allow_spinning: '0' } } }, // see session.ts
          logSeverityLevel: p === 'cpu' ? 2 : 4,
        }),
      file,
    );
    return new OnnxFileSession(
      session,
      provider,
      session.inputMetadata.map(valueInfo),
      session.outputMetadata.map(valueInfo),
    );
  }

  /** Runs the model on `feeds` and returns the outputs named in `outputs` (all when omitted). */
  async run(feeds: Record<string, HostTensor>, outputs?: string[]): Promise<Record<string, HostTensor>> {
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [k, v] of Object.entries(feeds)) ortFeeds[k] = toOrtTensor(v);
    const out = outputs ? await this.session.run(ortFeeds, outputs) : await this.session.run(ortFeeds);
    const result: Record<string, HostTensor> = {};
    for (const [k, v] of Object.entries(out)) result[k] = fromOrtTensor(v as ort.Tensor);
    return result;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
