/**
 * The language model being aligned, as a training graph: a LoRA-adapted Llama that reads
 * `inputs_embeds` [B, T, C] (token embeddings with the recommender's projected vectors already
 * added by the host injection kernel, kernels/) and returns the causal-LM loss on answer tokens
 * and the gradient of that loss with respect to `inputs_embeds`, from which the host computes the
 * projectors' gradients. Base weights are frozen initializers; LoRA matrices are trainable.
 *
 * Decision: the new <user>/<item> token rows are not trained on their own (the issue makes it
 * optional); the projectors carry the recommender's information. A trained row would be redundant:
 * every placeholder has a vector, and the projector's output bias (fc2.bias) is already a trained
 * vector added at each of its slots, with the same gradient. With `trainEmbeddings` the whole table is
 * trained instead (DESIGN.md §6's optional rows and LM head, tied in the tiny LM; method B's default),
 * as a host parameter: the host gathers inputs_embeds from it and the head reads it as EMBED_TABLE.
 */
import { Graph, type HostTensor } from '../graph/graph.ts';
import type { ModelBuilder } from '../graph/train-step.ts';
import { buildLlamaLogits, causalLmLoss, type LlamaConfig } from '../models/llama.ts';
import { declareLoraLlama, type LoraConfig, trainableParamGroups } from '../models/lora.ts';
import { IGNORE_INDEX } from './encode.ts';

export const INPUTS_EMBEDS = 'inputs_embeds';
/** The token embedding table [V, C] fed to the head when the run trains it (tied models). */
export const EMBED_TABLE = 'embed_table';
/** The base weight that holds the token embeddings (and, tied, the head). */
export const EMBED_WEIGHT = 'model.embed_tokens.weight';
/** Each label token's loss weight (align-batches.ts: every example weighs the same). */
export const LOSS_WEIGHTS = 'loss_weights';

export function alignModelBuilder(
  lora: LoraConfig,
  llama: LlamaConfig,
  base: Map<string, HostTensor>,
  opts: { weightDecay?: number; trainEmbeddings?: boolean } = {},
): ModelBuilder {
  // A trained table is a host (external) parameter: the host reads it for inputs_embeds, and a tied
  // head reads it as the EMBED_TABLE input, whose gradient the graph returns for the host to add.
  const tableInput = opts.trainEmbeddings === true && llama.tieEmbeddings;
  return ({ train }) => {
    const g = new Graph('align_lm');
    const m = declareLoraLlama(g, lora, llama, { base: { kind: 'initializers', weights: base }, train });
    const embeds = g.input(INPUTS_EMBEDS, 'float32', ['B', 'T', llama.hidden]);
    const labels = g.input('labels', 'int64', ['B', 'T']);
    const weights = g.input(LOSS_WEIGHTS, 'float32', ['B', 'T']);
    const table = tableInput ? g.input(EMBED_TABLE, 'float32', [llama.vocabSize, llama.hidden]) : null;
    const params = table ? { ...m.base, [EMBED_WEIGHT]: table } : m.base;
    const logits = buildLlamaLogits(llama, params, embeds, { project: m.project }); // [B, T, V]
    return {
      graph: g,
      loss: causalLmLoss(logits, labels, IGNORE_INDEX, weights),
      params: trainableParamGroups(Object.values(m.lora), opts.weightDecay ?? 0),
      gradInputs: table ? [embeds, table] : [embeds],
    };
  };
}
