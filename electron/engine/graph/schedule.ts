/** Learning-rate schedules, computed on the host and fed to the train graph as scalars. */

export interface ScheduleConfig {
  kind: 'constant' | 'linear' | 'cosine';
  /** Peak learning rate. */
  lr: number;
  /** Linear warm-up from 0 over this many steps (0: none). */
  warmupSteps?: number;
  /** Total optimizer steps (decay ends here). */
  totalSteps?: number;
  /** Final lr as a fraction of the peak for linear/cosine decay (default 0). */
  minRatio?: number;
}

export function learningRateAt(cfg: ScheduleConfig, step: number): number {
  const warm = cfg.warmupSteps ?? 0;
  if (warm > 0 && step < warm) return (cfg.lr * (step + 1)) / warm;
  if (cfg.kind === 'constant') return cfg.lr;
  const total = cfg.totalSteps ?? step + 1;
  const span = Math.max(1, total - warm);
  const progress = Math.min(1, Math.max(0, (step - warm) / span));
  const min = cfg.minRatio ?? 0;
  const factor = cfg.kind === 'linear' ? 1 - progress : 0.5 * (1 + Math.cos(Math.PI * progress));
  return cfg.lr * (min + (1 - min) * factor);
}
