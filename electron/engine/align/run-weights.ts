/**
 * An alignment run's LM weights: the base with the run's LoRA merged in and, when the run trained
 * it (config `trainEmbeddings`), its token embedding table, which a tied head (the tiny LM) reads too.
 * Evaluation and explanation load runs through this one function.
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../errors.ts';
import type { HostTensor } from '../graph/graph.ts';
import { loadSafetensors } from '../graph/safetensors.ts';
import { type LoraConfig, mergeLoraWeights } from '../models/lora.ts';
import { EMBED_WEIGHT } from './align-model.ts';
import { type AlignRunConfig, EMBEDDINGS_FILE } from './runs.ts';

export async function alignedWeights(
  dir: string,
  config: Pick<AlignRunConfig, 'trainEmbeddings'>,
  base: Map<string, HostTensor>,
  adapter: { config: LoraConfig; weights: Map<string, HostTensor> },
): Promise<Map<string, HostTensor>> {
  const weights = mergeLoraWeights(adapter.config, base, adapter.weights);
  if (!config.trainEmbeddings) return weights;
  const file = path.join(dir, EMBEDDINGS_FILE);
  await access(file).catch(() => {
    throw new InputError(`${file}: missing, but the run trained its embeddings`);
  });
  const { tensors } = await loadSafetensors(file);
  const table = tensors.get(EMBED_WEIGHT);
  const expected = base.get(EMBED_WEIGHT)?.dims;
  if (!table || !expected || table.dims.join() !== expected.join()) {
    throw new InputError(`${file}: expected ${EMBED_WEIGHT} of shape [${expected?.join(', ')}]`);
  }
  weights.set(EMBED_WEIGHT, table);
  return weights;
}
