/** Content fingerprints of the files an import read (streamed, so large files are fine). */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';

export interface SourceFile {
  path: string;
  bytes: number;
  sha256: string;
}

export async function hashFile(file: string): Promise<SourceFile> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return { path: path.resolve(file), bytes: (await stat(file)).size, sha256: h.digest('hex') };
}

/** One hash naming the whole raw input: the files' hashes in the order they were read. */
export function combinedSourceHash(files: SourceFile[], extra = ''): string {
  const h = createHash('sha256');
  for (const f of files) h.update(f.sha256);
  h.update(extra);
  return h.digest('hex');
}
