/** Maps training settings to a model builder, initial weights and the optimizer groups it uses. */
import type { HostTensor } from '../graph/graph.ts';
import type { ModelBuilder } from '../graph/train-step.ts';
import { initMfParams, type MfConfig, mfBprBuilder, mfSampledSoftmaxBuilder } from '../models/mf.ts';
import {
  initSasrecParams,
  type SasrecConfig,
  sasrecBceBuilder,
  sasrecCeBuilder,
  validateSasrecConfig,
} from '../models/sasrec.ts';
import type { TrainSettings } from './presets.ts';

export interface RecommenderModel {
  builder: ModelBuilder;
  init: Map<string, HostTensor>;
  /** Names of the optimizer groups the graph takes a learning rate for. */
  groups: string[];
  /** Adam β2 (the original SASRec uses 0.98). */
  beta2: number;
  sasrecConfig?: SasrecConfig;
  mfConfig?: MfConfig;
}

export function modelFor(s: TrainSettings, numUsers: number, numItems: number): RecommenderModel {
  let builder: ModelBuilder;
  let init: Map<string, HostTensor>;
  let sasrecConfig: SasrecConfig | undefined;
  let mfConfig: MfConfig | undefined;
  if (s.model === 'sasrec') {
    sasrecConfig = {
      numItems,
      hidden: s.hidden,
      blocks: s.blocks,
      heads: s.heads,
      maxLen: s.maxLen,
      ffnHidden: s.ffnHidden,
      activation: s.activation,
      norm: s.norm,
      dropout: s.dropout,
    };
    validateSasrecConfig(sasrecConfig);
    const opts = { weightDecay: s.weightDecay };
    builder = s.loss === 'ce' ? sasrecCeBuilder(sasrecConfig, opts) : sasrecBceBuilder(sasrecConfig, opts);
    init = initSasrecParams(sasrecConfig, s.seed);
  } else {
    mfConfig = { numUsers, numItems, dim: s.hidden };
    const opts = { l2: s.l2, weightDecay: s.weightDecay };
    builder =
      s.loss === 'sampled-softmax'
        ? mfSampledSoftmaxBuilder(mfConfig, s.negatives, opts)
        : mfBprBuilder(mfConfig, opts);
    init = initMfParams(mfConfig, s.seed);
  }
  const groups = [...new Set(builder({ train: false }).params.map((p) => p.group.name))];
  const beta2 = s.model === 'sasrec' && s.loss === 'bce' ? 0.98 : 0.999;
  return { builder, init, groups, beta2, sasrecConfig, mfConfig };
}
