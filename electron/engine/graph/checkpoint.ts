/**
 * Training checkpoints: parameters and optimizer state in one safetensors file, and `state.json`
 * naming it with the step reached and whatever the trainer needs to continue exactly. The tensor
 * file is written first and state.json is swapped in last, so a crash leaves the previous complete
 * checkpoint in force; older tensor files are removed only after that.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { InputError } from '../errors.ts';
import { writeFileAtomic } from '../project/atomic-io.ts';
import type { HostTensor } from './graph.ts';
import { loadSafetensors, saveSafetensors } from './safetensors.ts';

export const checkpointStateSchema = z.object({
  version: z.literal(1),
  /** Optimizer steps completed. */
  step: z.number().int().nonnegative(),
  tensors: z.string(),
  /** Fingerprint of the training configuration; resuming under another one is refused. */
  configHash: z.string(),
  /** Free-form trainer state (loss history tail, best metric, …). */
  extra: z.record(z.string(), z.unknown()),
});
export type CheckpointState = z.infer<typeof checkpointStateSchema>;

export interface Checkpoint {
  state: CheckpointState;
  params: Map<string, HostTensor>;
  optimizer: Map<string, HostTensor>;
}

const STATE_FILE = 'state.json';

export async function saveCheckpoint(dir: string, ck: Checkpoint): Promise<void> {
  const tensors = new Map<string, HostTensor>();
  for (const [k, v] of ck.params) tensors.set(`param/${k}`, v);
  for (const [k, v] of ck.optimizer) tensors.set(`optim/${k}`, v);
  const name = `checkpoint-${String(ck.state.step).padStart(7, '0')}.safetensors`;
  await saveSafetensors(path.join(dir, name), tensors, { step: String(ck.state.step) });
  await writeFileAtomic(path.join(dir, STATE_FILE), `${JSON.stringify({ ...ck.state, tensors: name }, null, 2)}\n`);
  for (const f of await readdir(dir)) {
    if (f.startsWith('checkpoint-') && f.endsWith('.safetensors') && f !== name)
      await rm(path.join(dir, f), { force: true });
  }
}

/** The checkpoint in `dir`, or null when there is none. A damaged one is a user error naming the file. */
export async function loadCheckpoint(dir: string): Promise<Checkpoint | null> {
  const file = path.join(dir, STATE_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return null;
  }
  const parsed = checkpointStateSchema.safeParse(JSON.parse(text));
  if (!parsed.success)
    throw new InputError(`${file}: not a valid checkpoint state (${parsed.error.issues[0].message})`);
  const { tensors } = await loadSafetensors(path.join(dir, parsed.data.tensors));
  const params = new Map<string, HostTensor>();
  const optimizer = new Map<string, HostTensor>();
  for (const [k, v] of tensors) {
    if (k.startsWith('param/')) params.set(k.slice(6), v);
    else if (k.startsWith('optim/')) optimizer.set(k.slice(6), v);
  }
  return { state: parsed.data, params, optimizer };
}
