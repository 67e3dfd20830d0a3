/** The reference Python for benchmarks (RECX_REF_PYTHON, else .ref-venv/bin/python), when it has torch. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export function referencePython(): string | null {
  const candidates = [process.env.RECX_REF_PYTHON, path.resolve('.ref-venv/bin/python')].filter(Boolean) as string[];
  for (const py of candidates) {
    if (!existsSync(py)) continue;
    try {
      execFileSync(py, ['-c', 'import torch'], { stdio: 'ignore' });
      return py;
    } catch {}
  }
  return null;
}
