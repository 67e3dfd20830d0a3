#!/usr/bin/env node
// Runs after `npm install` in the repo root. Dependency install scripts of onnxruntime-node and
// electron are disabled (package.json allowScripts, .npmrc) because both download large binaries
// from outside the npm registry and fail the whole install where that is unreachable. Here we
// attempt those downloads only where they make sense, and never fail the install because of them.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const say = (msg) => console.log(`[recx install] ${msg}`);

/** True when this machine has an NVIDIA GPU with a loaded driver. */
export function hasNvidiaGpu() {
  if (process.env.RECX_ASSUME_NO_GPU) return false;
  if (existsSync('/proc/driver/nvidia/version')) return true;
  const smi = spawnSync('nvidia-smi', ['-L'], { encoding: 'utf8', timeout: 10_000 });
  return smi.status === 0 && /GPU \d+:/.test(smi.stdout ?? '');
}

function packageDir(name) {
  try {
    return path.dirname(require.resolve(`${name}/package.json`));
  } catch {
    return null;
  }
}

/** Runs a dependency's own install script with a time limit; returns an error text or null. */
function runInstallScript(script, env, timeoutMs) {
  const r = spawnSync(process.execPath, [script], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: timeoutMs,
  });
  if (r.error) return r.error.message;
  if (r.status !== 0) {
    const lines = `${r.stderr ?? ''}${r.stdout ?? ''}`.trim().split('\n');
    const reason = lines.find((l) => /error/i.test(l)) ?? lines.at(-1) ?? `exit ${r.status}`;
    return reason.trim();
  }
  return null;
}

function installOrtCuda() {
  const dir = packageDir('onnxruntime-node');
  if (!dir) return;
  const supported = process.platform === 'linux' && process.arch === 'x64';
  if (!supported || !hasNvidiaGpu()) {
    say(
      'no NVIDIA GPU detected: skipped the onnxruntime-node CUDA provider download (CPU and WebGPU providers are bundled).',
    );
    return;
  }
  say('NVIDIA GPU detected: downloading the onnxruntime-node CUDA 12 provider libraries…');
  let err = runInstallScript(path.join(dir, 'script', 'install.js'), { ONNXRUNTIME_NODE_INSTALL: 'cuda12' }, 900_000);
  // The script can exit 0 without installing (e.g. a stalled proxy), so check for the library itself.
  const cudaLib = path.join(dir, 'bin', 'napi-v6', 'linux', 'x64', 'libonnxruntime_providers_cuda.so');
  if (!err && !existsSync(cudaLib)) err = `${path.basename(cudaLib)} is missing after the download`;
  if (err)
    say(
      `CUDA provider download failed (${err}). The engine will use WebGPU or CPU. Retry later with: ONNXRUNTIME_NODE_INSTALL=cuda12 node ${path.relative(process.cwd(), dir)}/script/install.js`,
    );
  else say('CUDA provider libraries installed.');
}

function installElectronBinary() {
  const dir = packageDir('electron');
  if (!dir || process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) return;
  const err = runInstallScript(path.join(dir, 'install.js'), {}, 5 * 60_000);
  if (err)
    say(
      `Electron binary not downloaded (${err}). The CLI and the engine work without it; for the desktop window run later: node ${path.relative(process.cwd(), dir)}/install.js`,
    );
  else say('Electron binary ready.');
}

installOrtCuda();
installElectronBinary();
