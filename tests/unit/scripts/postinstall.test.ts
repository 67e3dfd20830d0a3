import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const script = path.resolve('scripts/postinstall.mjs');
// Any download attempt goes to a closed local port, so it fails at once and offline.
const offline = { GLOBAL_AGENT_HTTPS_PROXY: 'http://127.0.0.1:9', GLOBAL_AGENT_HTTP_PROXY: 'http://127.0.0.1:9' };

describe('postinstall', () => {
  it('skips the CUDA download without an NVIDIA GPU and says so', () => {
    const r = spawnSync(process.execPath, [script], {
      env: { ...process.env, ...offline, RECX_ASSUME_NO_GPU: '1', ELECTRON_SKIP_BINARY_DOWNLOAD: '1' },
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/no NVIDIA GPU detected: skipped the onnxruntime-node CUDA provider download/);
  });

  it('attempts the CUDA download when a GPU is seen, and reports a failure without failing the install', () => {
    if (process.platform !== 'linux' || process.arch !== 'x64') return;
    const bin = mkdtempSync(path.join(tmpdir(), 'recx-fake-smi-'));
    writeFileSync(path.join(bin, 'nvidia-smi'), '#!/bin/sh\necho "GPU 0: Fake GPU (UUID: GPU-0)"\n');
    chmodSync(path.join(bin, 'nvidia-smi'), 0o755);
    const r = spawnSync(process.execPath, [script], {
      env: { ...process.env, ...offline, PATH: `${bin}:${process.env.PATH}`, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' },
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/NVIDIA GPU detected/);
    expect(r.stdout).toMatch(/CUDA provider download failed .*WebGPU or CPU/);
  });
});
