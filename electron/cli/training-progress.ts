/**
 * Prints a Trainer's event stream on stderr: a live bar on a terminal (step, loss, lr, grad norm,
 * throughput, memory, ETA), about twenty plain lines per run otherwise (logs, CI).
 */
import type { EventEmitter } from 'node:events';
import cliProgress from 'cli-progress';
import type { EvalEvent, StepEvent, TrainerEvents } from '../engine/graph/trainer.ts';

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return Math.abs(x) >= 1e-3 && Math.abs(x) < 1e4 ? x.toFixed(4) : x.toExponential(2);
}

export function describeStep(e: StepEvent): string {
  const unit = e.throughputUnit === 'tokens/s' ? 'tok/s' : 'ex/s';
  return `loss ${fmt(e.loss)} | lr ${fmt(e.lr)} | grad ${fmt(e.gradNorm)} | ${Math.round(e.throughput)} ${unit} | ${Math.round(e.rssMb)} MB`;
}

export function attachTrainingProgress(
  trainer: EventEmitter<TrainerEvents>,
  label: string,
  stream: NodeJS.WriteStream = process.stderr,
): () => void {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      { stream, format: `${label} [{bar}] {value}/{total} | {info} | ETA {eta_formatted}`, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    trainer.on('step', (e) => {
      if (!started) {
        bar.start(e.totalSteps, e.step - 1, { info: '' });
        started = true;
      }
      bar.update(e.step, { info: describeStep(e) });
    });
    trainer.on('eval', (e) => bar.update({ info: `eval ${metricsText(e)}` }));
    return () => bar.stop();
  }
  let lastPrinted = 0;
  trainer.on('step', (e) => {
    const every = Math.max(1, Math.floor(e.totalSteps / 20));
    if (e.step - lastPrinted >= every || e.step === e.totalSteps) {
      lastPrinted = e.step;
      stream.write(`${label} ${e.step}/${e.totalSteps} | ${describeStep(e)} | ETA ${Math.round(e.etaSec)}s\n`);
    }
  });
  trainer.on('eval', (e) => stream.write(`${label} eval at ${e.step}: ${metricsText(e)}\n`));
  return () => {};
}

function metricsText(e: EvalEvent): string {
  return Object.entries(e.metrics)
    .map(([k, v]) => `${k} ${fmt(v)}`)
    .join(', ');
}
