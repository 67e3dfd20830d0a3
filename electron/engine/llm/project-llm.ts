/**
 * The project's language model: which directory it lives in (the built-in tiny LM under
 * `<project>/llm/tiny`, or a Hugging Face directory the user loaded), registering one, and
 * generating text with it.
 */
import path from 'node:path';
import { InputError } from '../errors.ts';
import { readProjectFile, writeProjectFile } from '../project/project-file.ts';
import { type GeneratedSequence, generate } from './generate.ts';
import { readHfConfig } from './hf-model-dir.ts';
import { indexHfWeights } from './hf-weights.ts';
import { LlamaRuntime } from './llama-runtime.ts';
import { loadTokenizer } from './tokenizer-files.ts';

export async function projectLlmDir(project: string): Promise<string> {
  const p = await readProjectFile(project);
  if (!p?.llm) throw new InputError(`${project}: no language model yet; run 'recx llm create-tiny' or 'recx llm load'`);
  return p.llm.kind === 'tiny' ? path.join(project, p.llm.path) : p.llm.path;
}

/** Checks that `dir` loads (config, weights index, tokenizer) and makes it the project's LM. */
export async function loadProjectLlm(project: string, dir: string): Promise<{ dir: string; architecture: string }> {
  const abs = path.resolve(dir);
  const hf = await readHfConfig(abs);
  await indexHfWeights(abs);
  await loadTokenizer(abs);
  const p = await readProjectFile(project);
  if (!p) throw new InputError(`${project}: not a project folder (no project.json); import a dataset first`);
  await writeProjectFile(project, { ...p, llm: { kind: 'hf', path: abs } });
  return { dir: abs, architecture: hf.modelType ?? 'llama' };
}

export interface GenerateTextOptions {
  maxNewTokens?: number;
  beams?: number;
  sample?: { temperature?: number; topP?: number; topK?: number; seed: number };
  onText?: (textSoFar: string) => void;
  signal?: AbortSignal;
}

/** Generates continuations of `prompt` with the model in `dir`; returns text per sequence. */
export async function generateText(
  dir: string,
  prompt: string,
  opts: GenerateTextOptions = {},
): Promise<GeneratedSequence[]> {
  const tok = await loadTokenizer(dir);
  const runtime = await LlamaRuntime.fromDir(dir, {
    bannedTokenIds: tok.specialTokenIds.filter((id) => id !== tok.eosTokenId),
  });
  try {
    const ids = tok.encode(prompt, { addSpecialTokens: true });
    const decode = (t: readonly number[]) => tok.decode(t, { skipSpecialTokens: true });
    const common = { maxNewTokens: opts.maxNewTokens ?? 32, decode, signal: opts.signal };
    if (opts.beams && opts.beams > 1) {
      return await generate(runtime, ids, {
        ...common,
        strategy: 'beam',
        numBeams: opts.beams,
        numReturnSequences: opts.beams,
      });
    }
    const onToken = (_t: number, text: string) => opts.onText?.(text);
    if (opts.sample) return await generate(runtime, ids, { ...common, strategy: 'sample', ...opts.sample, onToken });
    return await generate(runtime, ids, { ...common, strategy: 'greedy', onToken });
  } finally {
    await runtime.release();
  }
}
