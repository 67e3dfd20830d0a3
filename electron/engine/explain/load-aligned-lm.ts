/**
 * An alignment run's language model ready to generate: the base LM with the run's LoRA merged in,
 * its tokenizer, the prompt encoder at the run's maxLen, and the run's projectors, which turn a
 * recommender vector into the embedding added at a `<user>` / `<item>` placeholder (I/H).
 *
 * The same steps as `align/eval-run.ts` (which keeps its own copy for now; it could call this).
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import { createEncoder, type ExampleEncoder, type Slot } from '../align/encode.ts';
import { alignedWeights } from '../align/run-weights.ts';
import { type AlignRunConfig, readRunConfig, runDir } from '../align/runs.ts';
import { InputError } from '../errors.ts';
import { loadSafetensors } from '../graph/safetensors.ts';
import type { SessionSettings } from '../graph/session.ts';
import { type Projector, projectorForward, projectorFromTensors, type SlotKind } from '../kernels/projector.ts';
import { loadHfModelDir } from '../llm/hf-model-dir.ts';
import { LlamaRuntime } from '../llm/llama-runtime.ts';
import { loadPeftAdapter } from '../llm/peft-adapter.ts';
import type { LoadedTokenizer } from '../llm/tokenizer.ts';
import { loadTokenizer } from '../llm/tokenizer-files.ts';

export interface AlignedLm {
  runId: string;
  config: AlignRunConfig;
  tokenizer: LoadedTokenizer;
  runtime: LlamaRuntime;
  encode: ExampleEncoder;
  /**
   * Row-major [length, hidden] additions to the token embeddings: the projected vector at each
   * slot's position, zero elsewhere; null without slots. `vector` gives a slot's recommender vector.
   */
  injected(slots: readonly Slot[], length: number, vector: (slot: Slot) => Float32Array): Float32Array | null;
  release(): Promise<void>;
}

export const RUN_FILES = { adapter: 'adapter', projectors: 'projectors.safetensors', done: 'done.json' } as const;

export async function loadAlignedLm(
  project: string,
  runId: string,
  opts: { session?: SessionSettings } = {},
): Promise<AlignedLm> {
  const config = await readRunConfig(project, runId);
  const dir = runDir(project, runId);
  await access(path.join(dir, RUN_FILES.done)).catch(() => {
    throw new InputError(`run "${runId}" has not finished training: it has no adapter to explain with yet`);
  });
  const [base, tokenizer] = [await loadHfModelDir(config.llmDir), await loadTokenizer(config.llmDir)];
  const adapter = await loadPeftAdapter(path.join(dir, RUN_FILES.adapter), base.config);
  const { tensors } = await loadSafetensors(path.join(dir, RUN_FILES.projectors));
  const weights = await alignedWeights(dir, config, base.weights, adapter);
  const runtime = await LlamaRuntime.create(base.config, weights, {
    // Placeholders and other special tokens are never generated; EOS ends the answer.
    bannedTokenIds: tokenizer.specialTokenIds.filter((id) => id !== tokenizer.eosTokenId),
    eosTokenIds: base.eosTokenIds,
    consumeWeights: true,
    session: opts.session,
  });
  const hidden = base.config.hidden;
  const projectors = new Map<SlotKind, Projector>();
  const projector = (kind: SlotKind) => {
    let p = projectors.get(kind);
    if (!p) {
      p = projectorFromTensors(kind, tensors);
      projectors.set(kind, p);
    }
    return p;
  };
  return {
    runId,
    config,
    tokenizer,
    runtime,
    encode: createEncoder(tokenizer, config.maxLen),
    injected(slots, length, vector) {
      if (slots.length === 0) return null;
      const out = new Float32Array(length * hidden);
      for (const s of slots) out.set(projectorForward(projector(s.kind), vector(s), 1).out, s.position * hidden);
      return out;
    },
    release: () => runtime.release(),
  };
}
