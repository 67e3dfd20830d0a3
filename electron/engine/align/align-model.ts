/**
 * The language model being aligned, as a training graph: a LoRA-adapted Llama that reads
 * `inputs_embeds` [B, T, C] (token embeddings with the recommender's projected vectors already
 * added by the host injection kernel, kernels/) and returns the causal-LM loss on answer tokens
 * and the gradient of that loss with respect to `inputs_embeds`, from which the host computes the
 * projectors' gradients. Base weights are frozen initializers; LoRA matrices are trainable.
 *
 * Decision: the new <user>/<item> token rows stay frozen at their mean initialisation (the issue
 * makes training them optional); the projectors carry the recommender's information. A trained row
 * would be redundant: every placeholder has a vector, and the projector's output bias (fc2.bias) is
 * already a trained vector added at each of its slots, with the same gradient. Frozen rows also keep
 * tied-embedding models (the tiny LM) consistent: the head reads the same frozen table.
 */
import { Graph, type HostTensor } from '../graph/graph.ts';
import type { ModelBuilder } from '../graph/train-step.ts';
import { buildLlamaLogits, causalLmLoss, type LlamaConfig } from '../models/llama.ts';
import { declareLoraLlama, type LoraConfig, trainableParamGroups } from '../models/lora.ts';
import { IGNORE_INDEX } from './encode.ts';

export const INPUTS_EMBEDS = 'inputs_embeds';
/** Each label token's loss weight (align-batches.ts: every example weighs the same). */
export const LOSS_WEIGHTS = 'loss_weights';

export function alignModelBuilder(
  lora: LoraConfig,
  llama: LlamaConfig,
  base: Map<string, HostTensor>,
  opts: { weightDecay?: number } = {},
): ModelBuilder {
  return ({ train }) => {
    const g = new Graph('align_lm');
    const m = declareLoraLlama(g, lora, llama, { base: { kind: 'initializers', weights: base }, train });
    const embeds = g.input(INPUTS_EMBEDS, 'float32', ['B', 'T', llama.hidden]);
    const labels = g.input('labels', 'int64', ['B', 'T']);
    const weights = g.input(LOSS_WEIGHTS, 'float32', ['B', 'T']);
    const logits = buildLlamaLogits(llama, m.base, embeds, { project: m.project }); // [B, T, V]
    return {
      graph: g,
      loss: causalLmLoss(logits, labels, IGNORE_INDEX, weights),
      params: trainableParamGroups(Object.values(m.lora), opts.weightDecay ?? 0),
      gradInputs: [embeds],
    };
  };
}
