/**
 * ORT sessions over emitted graphs (the only place, with ort-tensors.ts, that touches
 * onnxruntime-node). Execution providers are tried in order — CUDA, WebGPU, CPU by default — and
 * the first that loads is used; each fallback is logged with its reason.
 * RECX_DEBUG=graph prints a summary of every graph and dumps its .onnx (RECX_DEBUG_DIR, default tmp).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { InputError } from '../errors.ts';
import type { Graph, HostTensor } from './graph.ts';
import { graphSummary, writeOnnx } from './onnx-writer.ts';
import { optimizeGraph } from './optimize.ts';
import { DEFAULT_PROVIDERS, openWithFallback, type ProviderName } from './providers.ts';

export { DEFAULT_PROVIDERS, type ProviderName } from './providers.ts';

export interface SessionSettings {
  /** Providers in order of preference; the first that loads runs the graph. */
  providers?: ProviderName[];
  /** Intra-op threads (default: all cores). */
  threads?: number;
  /** Where messages about provider choice go (default: stderr when RECX_DEBUG is set). */
  log?: (msg: string) => void;
  /**
   * On WebGPU, keep outputs on the device ('gpu-buffer') so parameters and optimizer state can
   * stay there between steps; ignored by the other providers.
   */
  outputsOnDevice?: boolean;
}

// ORT logs a failed GPU-provider probe as an error before we fall back; our own messages say what
// happened, so ORT's log stays quiet unless debugging.
if (!process.env.RECX_DEBUG) ort.env.logLevel = 'fatal';

function debugEnabled(what: string): boolean {
  return (process.env.RECX_DEBUG ?? '').split(',').includes(what);
}

function defaultLog(msg: string): void {
  if (process.env.RECX_DEBUG) process.stderr.write(`[recx graph] ${msg}\n`);
}

export function toOrtTensor(t: HostTensor): ort.Tensor {
  return new ort.Tensor(t.dtype, t.data as ort.Tensor['data'], t.dims);
}

export function fromOrtTensor(t: ort.Tensor): HostTensor {
  return { dtype: t.type as HostTensor['dtype'], dims: [...t.dims], data: t.data as HostTensor['data'] };
}

export class GraphSession {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly provider: ProviderName,
    readonly graphName: string,
    /** Why preferred providers were skipped (empty when the first choice loaded). */
    readonly fallbacks: string[],
  ) {}

  get inputNames(): readonly string[] {
    return this.session.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.session.outputNames;
  }

  static async create(graph: Graph, settings: SessionSettings = {}): Promise<GraphSession> {
    const log = settings.log ?? defaultLog;
    optimizeGraph(graph);
    let initBytes = 0;
    for (const t of graph.initializers.values()) initBytes += t.data.byteLength;
    if (initBytes > 1.9 * 2 ** 30) {
      throw new InputError(
        `${graph.name}: ${(initBytes / 2 ** 30).toFixed(1)} GiB of frozen weights is over the 2 GB an in-memory ONNX model can hold; ` +
          'pass large frozen bases as graph inputs (LoRA: base {kind: "inputs"}) or use a file-backed session',
      );
    }
    const { model } = writeOnnx(graph);
    if (debugEnabled('graph')) {
      const dir = process.env.RECX_DEBUG_DIR ?? tmpdir();
      mkdirSync(dir, { recursive: true });
      const file = path.join(dir, `${graph.name}.onnx`);
      writeFileSync(file, model);
      process.stderr.write(`${graphSummary(graph, model.byteLength)}\n  dumped to ${file}\n`);
    }
    const threads = settings.threads ?? availableParallelism();
    const usesFloat64 =
      graph.inputs.some((v) => v.dtype === 'float64') ||
      [...graph.initializers.values()].some((t) => t.dtype === 'float64');
    const opened = await openWithFallback(
      settings.providers ?? DEFAULT_PROVIDERS,
      (provider) =>
        ort.InferenceSession.create(model, {
          executionProviders: [provider],
          intraOpNumThreads: threads,
          interOpNumThreads: 1,
          executionMode: 'sequential',
          // Idle worker threads sleep instead of spinning: on a busy 2-core machine spinning cost
          // up to 2× at 2 threads (bench/llm), and a desktop app shares its cores.
          extra: { session: { intra_op: { allow_spinning: '0' } } },
          // ORT's fusions store folded scales as float32 (e.g. MatMul·scale → FusedMatMul alpha),
          // which would round float64 graphs (used to check gradients); those get basic only.
          graphOptimizationLevel: usesFloat64 ? 'basic' : 'all',
          // Probing a GPU provider that is absent is expected: keep ORT's own error log quiet.
          logSeverityLevel: provider === 'cpu' ? 2 : 4,
          // RECX_DEBUG=profile: ORT's per-node timing JSON, written when the session is released.
          enableProfiling: debugEnabled('profile'),
          ...(provider === 'webgpu' && settings.outputsOnDevice
            ? { preferredOutputLocation: 'gpu-buffer' as const }
            : {}),
          profileFilePrefix: path.join(process.env.RECX_DEBUG_DIR ?? tmpdir(), `${graph.name}-profile`),
        }),
      graph.name,
    );
    if (opened.fallbacks.length > 0)
      log(`${graph.name}: running on ${opened.provider} (skipped ${opened.fallbacks.join('; ')})`);
    return new GraphSession(opened.value, opened.provider, graph.name, opened.fallbacks);
  }

  async run(feeds: Record<string, HostTensor>): Promise<Record<string, HostTensor>> {
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [k, v] of Object.entries(feeds)) ortFeeds[k] = toOrtTensor(v);
    const out = await this.session.run(ortFeeds);
    const result: Record<string, HostTensor> = {};
    for (const [k, v] of Object.entries(out)) result[k] = fromOrtTensor(v as ort.Tensor);
    return result;
  }

  async release(): Promise<void> {
    if (debugEnabled('profile')) this.session.endProfiling();
    await this.session.release();
  }
}
