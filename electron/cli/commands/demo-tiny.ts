/**
 * The demo's tiny LM pre-trained in a child process (`recx llm create-tiny --json`) while the demo
 * trains SASRec in its own: the tiny LM needs only the dataset, and each process uses one thread, so
 * on 2 cores the two overlap (about a minute saved). Its progress lines go to our stderr.
 */
import type { TinyLmResult } from '../../engine/llm/tiny-lm.ts';
import { forkRecx } from './demo-align.ts';

export interface TinyLmChild {
  result: Promise<TinyLmResult>;
  kill(): void;
}

export function createTinyLmInChild(
  project: string,
  opts: { seed: number; threads: number; steps?: number },
  stderr: (s: string) => void,
): TinyLmChild {
  const args = ['llm', 'create-tiny', '--project', project, '--seed', String(opts.seed)];
  if (opts.steps !== undefined) args.push('--steps', String(opts.steps));
  const { child, tail } = forkRecx([...args, '--threads', String(opts.threads), '--json'], 'pipe', stderr);
  let stdout = '';
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString('utf8');
  });
  const result = new Promise<TinyLmResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      const last = stdout.trim().split('\n').at(-1);
      if (code === 0 && last) resolve(JSON.parse(last) as TinyLmResult);
      else reject(new Error(`building the tiny LM failed (exit ${code ?? signal}): ${tail.join(' | ')}`));
    });
  });
  result.catch(() => {}); // awaited later; a failure meanwhile must not count as unhandled
  return { result, kill: () => child.kill() };
}
