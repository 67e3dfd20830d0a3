/**
 * Progress on stderr: a live bar on a terminal, a few plain lines otherwise (logs and CI), so that
 * stdout stays clean for `--json`.
 */
import cliProgress from 'cli-progress';

export interface StageProgress {
  update(stage: string, done: number, total: number): void;
  stop(): void;
}

export function createStageProgress(stream: NodeJS.WriteStream = process.stderr, quiet = false): StageProgress {
  if (quiet) return { update() {}, stop() {} };
  if (!stream.isTTY) return plainProgress(stream);
  let bar: cliProgress.SingleBar | null = null;
  let current = '';
  return {
    update(stage, done, total) {
      if (stage !== current) {
        bar?.stop();
        current = stage;
        bar = new cliProgress.SingleBar(
          { stream, format: `${stage.padEnd(14)} [{bar}] {percentage}% | ETA {eta}s`, hideCursor: true },
          cliProgress.Presets.shades_classic,
        );
        bar.start(Math.max(total, 1), 0);
      }
      bar?.setTotal(Math.max(total, 1));
      bar?.update(done);
    },
    stop() {
      bar?.stop();
      bar = null;
    },
  };
}

function plainProgress(stream: NodeJS.WriteStream): StageProgress {
  let current = '';
  let lastPct = -1;
  return {
    update(stage, done, total) {
      const pct = total > 0 ? Math.floor((100 * done) / total / 25) * 25 : 0;
      if (stage === current && pct === lastPct) return;
      current = stage;
      lastPct = pct;
      stream.write(`${stage} ${pct}%\n`);
    },
    stop() {},
  };
}
