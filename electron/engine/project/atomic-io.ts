/**
 * Writes that never leave a half-written file or folder: write beside the target under a temporary
 * name, then rename (atomic on the same file system). Readers see the old version or the new one.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';

const tmpSuffix = () => `${process.pid}-${randomBytes(4).toString('hex')}`;

/** Prefix of the temporary siblings created here; stale ones (from a killed process) can be removed. */
export const TMP_PREFIX = '.tmp-';

export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `${TMP_PREFIX}${path.basename(file)}-${tmpSuffix()}`);
  try {
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

export async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

/**
 * Builds a folder in a temporary sibling and swaps it in place of `target` (replacing any old one)
 * only when `build` succeeds; on failure nothing at `target` changes and the temporary is removed.
 */
export async function replaceDirAtomic(target: string, build: (tmpDir: string) => Promise<void>): Promise<void> {
  const parent = path.dirname(target);
  const name = path.basename(target);
  await mkdir(parent, { recursive: true });
  const tmp = path.join(parent, `${TMP_PREFIX}${name}-${tmpSuffix()}`);
  const old = path.join(parent, `${TMP_PREFIX}${name}-old-${tmpSuffix()}`);
  await mkdir(tmp);
  try {
    await build(tmp);
    const hadOld = await exists(target);
    if (hadOld) await rename(target, old);
    try {
      await rename(tmp, target);
    } catch (e) {
      if (hadOld) await rename(old, target);
      throw e;
    }
    if (hadOld) await rm(old, { recursive: true, force: true });
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
}
