/**
 * Child process for the kill -9 resume test: trains an alignment run (resuming `run` when given) and
 * SIGKILLs itself right after step `killAt` — no clean shutdown, only the periodic checkpoints.
 */
import { trainAlignment } from '../../../electron/engine/align/train-align.ts';

const [project, killAt, resumeRun] = process.argv.slice(2);
// A resumed run takes its settings from the run itself: the resume passes none (and a wrong method).
const settings = resumeRun
  ? { method: 'B' as const, resumeRun }
  : { method: 'I' as const, tasks: [1 as const, 3 as const], steps: 12, batchSize: 4, trainEmbeddings: true };
const r = await trainAlignment({
  project,
  ...settings,
  threads: 1,
  checkpointEvery: 5,
  onTrainer: (t, info) => {
    process.stdout.write(`${JSON.stringify({ run: info.runId })}\n`);
    t.on('step', (e) => {
      if (killAt && e.step === Number(killAt)) process.kill(process.pid, 'SIGKILL');
    });
  },
});
process.stdout.write(`${JSON.stringify({ done: r })}\n`);
