/**
 * Training presets of the target recommenders (issue #4). Every field can be overridden.
 * - sasrec-paper: the RecExplainer paper's target (UniRec SASRec): d 256, 2 layers, 16 heads,
 *   FFN 512, swish, max length 9, full-softmax cross-entropy, AdamW 3.11e-4, batch 2048, early
 *   stopping on validation NDCG@10 with patience 5.
 * - sasrec-original: Kang & McAuley's settings: d 64, 2 blocks, 1 head, max length 50, dropout
 *   0.2, BCE with one sampled negative, Adam 1e-3, batch 128 (pre-LN, the original block).
 * - mf-bpr: matrix factorisation with BPR and L2, Adam 1e-3.
 */
import { z } from 'zod';

export const trainSettingsSchema = z.object({
  model: z.enum(['sasrec', 'mf']),
  hidden: z.number().int().positive(),
  blocks: z.number().int().positive(),
  heads: z.number().int().positive(),
  ffnHidden: z.number().int().positive(),
  activation: z.enum(['relu', 'gelu', 'swish']),
  norm: z.enum(['pre', 'post']),
  maxLen: z.number().int().positive(),
  dropout: z.number().min(0).max(0.95),
  loss: z.enum(['ce', 'bce', 'bpr', 'sampled-softmax']),
  /** Negatives per positive for sampled softmax. */
  negatives: z.number().int().positive(),
  l2: z.number().nonnegative(),
  lr: z.number().positive(),
  weightDecay: z.number().nonnegative(),
  batchSize: z.number().int().positive(),
  maxEpochs: z.number().int().positive(),
  patience: z.number().int().positive(),
  seed: z.number().int(),
  threads: z.number().int().positive().optional(),
});
export type TrainSettings = z.infer<typeof trainSettingsSchema>;

const SASREC_BASE = {
  model: 'sasrec',
  blocks: 2,
  norm: 'pre',
  negatives: 1,
  l2: 0,
  weightDecay: 0,
  patience: 5,
  seed: 42,
} as const;

export const PRESETS: Record<string, Omit<TrainSettings, 'seed'> & { seed?: number }> = {
  'sasrec-paper': {
    ...SASREC_BASE,
    hidden: 256,
    heads: 16,
    ffnHidden: 512,
    activation: 'swish',
    norm: 'post',
    maxLen: 9,
    dropout: 0.1,
    loss: 'ce',
    lr: 3.11e-4,
    weightDecay: 0.01,
    batchSize: 2048,
    maxEpochs: 200,
  },
  'sasrec-original': {
    ...SASREC_BASE,
    hidden: 64,
    heads: 1,
    ffnHidden: 64,
    activation: 'relu',
    maxLen: 50,
    dropout: 0.2,
    loss: 'bce',
    lr: 1e-3,
    batchSize: 128,
    maxEpochs: 200,
  },
  'mf-bpr': {
    model: 'mf',
    hidden: 64,
    blocks: 1,
    heads: 1,
    ffnHidden: 64,
    activation: 'relu',
    norm: 'pre',
    maxLen: 50,
    dropout: 0,
    loss: 'bpr',
    negatives: 1,
    l2: 1e-4,
    lr: 1e-3,
    weightDecay: 0,
    batchSize: 1024,
    maxEpochs: 100,
    patience: 5,
  },
};

export const DEFAULT_PRESET: Record<'sasrec' | 'mf', string> = { sasrec: 'sasrec-original', mf: 'mf-bpr' };

/** The preset with overrides applied, validated (errors name the field). */
export function resolveSettings(preset: string, overrides: Partial<TrainSettings>): TrainSettings {
  const base = PRESETS[preset];
  if (!base) throw new Error(`unknown preset "${preset}": expected one of ${Object.keys(PRESETS).join(', ')}`);
  const clean = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  return trainSettingsSchema.parse({ seed: 42, ...base, ...clean });
}
