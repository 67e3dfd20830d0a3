/**
 * An ORT session over an emitted graph that is written to a temporary folder first (model + one
 * external-data file), for graphs whose initializers are large frozen weights: protobuf cannot hold
 * more than 2 GB, and ORT reads external data from files. GraphSession (in-memory) stays the
 * choice for small graphs and training steps. The folder is removed on release (and at exit).
 * The graph is consumed: its initializers are dropped once written.
 */
import { rmSync } from 'node:fs';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Graph, HostTensor } from './graph.ts';
import { OnnxFileSession, type OnnxValueInfo } from './onnx-file-session.ts';
import { writeOnnx } from './onnx-writer.ts';
import { optimizeGraph } from './optimize.ts';
import type { ProviderName, SessionSettings } from './session.ts';

export interface FileBackedSessionOptions extends SessionSettings {
  /** Initializers of at least this many bytes go to the external-data file (default 1 MiB). */
  externalThreshold?: number;
  /** Parent of the temporary folder (default: the OS temp folder). */
  tmpRoot?: string;
}

const liveDirs = new Set<string>();
let exitHookInstalled = false;

function removeAtExit(dir: string): void {
  liveDirs.add(dir);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const d of liveDirs) rmSync(d, { recursive: true, force: true });
  });
}

export class FileBackedGraphSession {
  private constructor(
    private readonly session: OnnxFileSession,
    private readonly dir: string,
    readonly graphName: string,
  ) {}

  get provider(): ProviderName {
    return this.session.provider;
  }

  get inputs(): OnnxValueInfo[] {
    return this.session.inputs;
  }

  get outputs(): OnnxValueInfo[] {
    return this.session.outputs;
  }

  static async create(graph: Graph, opts: FileBackedSessionOptions = {}): Promise<FileBackedGraphSession> {
    optimizeGraph(graph);
    const dataName = `${graph.name}.onnx.data`;
    const { model, external } = writeOnnx(graph, {
      externalThreshold: opts.externalThreshold ?? 1 << 20,
      externalDataName: dataName,
    });
    const dir = await mkdtemp(path.join(opts.tmpRoot ?? tmpdir(), 'recx-graph-'));
    removeAtExit(dir);
    try {
      const file = path.join(dir, `${graph.name}.onnx`);
      await writeFile(file, model);
      if (external.length > 0) {
        // Chunk by chunk: the weights are never concatenated into one buffer.
        const fh = await open(path.join(dir, dataName), 'w');
        try {
          for (const chunk of external) await fh.write(chunk);
        } finally {
          await fh.close();
        }
      }
      // The weights are on disk now: drop the graph's references so that, once the caller lets go
      // of its copy too, only ORT's copy stays in memory (bench/llm measured 2× peak without this).
      graph.initializers.clear();
      external.length = 0;
      const session = await OnnxFileSession.open(file, opts);
      return new FileBackedGraphSession(session, dir, graph.name);
    } catch (e) {
      await rm(dir, { recursive: true, force: true });
      liveDirs.delete(dir);
      throw new Error(`${graph.name}: ORT could not load the graph: ${(e as Error).message}`);
    }
  }

  /** Runs the graph; returns the outputs named in `outputs` (all when omitted). */
  run(feeds: Record<string, HostTensor>, outputs?: string[]): Promise<Record<string, HostTensor>> {
    return this.session.run(feeds, outputs);
  }

  async release(): Promise<void> {
    await this.session.release();
    await rm(this.dir, { recursive: true, force: true });
    liveDirs.delete(this.dir);
  }
}
