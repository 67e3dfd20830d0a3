/**
 * Execution-provider choice shared by every ORT session: providers are tried in order (CUDA,
 * WebGPU, CPU by default) and the first that loads wins. A provider that cannot work here is
 * skipped without probing (no CUDA provider library installed; no GPU device node for WebGPU on
 * Linux — probing Dawn without one prints a Vulkan warning), and one that failed to load is not
 * probed again in this process. Every skip is reported with its reason.
 */
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export type ProviderName = 'cuda' | 'webgpu' | 'cpu';
export const DEFAULT_PROVIDERS: ProviderName[] = ['cuda', 'webgpu', 'cpu'];

const unavailable = new Map<ProviderName, string>();
const PROVIDER_MISSING = /provider|not (?:found|available|supported)|cannot open|\.so|adapter|webgpu|cuda|dawn/i;

function ortBinDir(): string | null {
  try {
    const pkg = createRequire(import.meta.url).resolve('onnxruntime-node/package.json');
    return path.join(path.dirname(pkg), 'bin', 'napi-v6', process.platform, process.arch);
  } catch {
    return null;
  }
}

/** Why `provider` cannot work on this machine, or null when it is worth trying. */
export function providerSkipReason(provider: ProviderName): string | null {
  const known = unavailable.get(provider);
  if (known) return known;
  if (provider === 'cuda') {
    const dir = ortBinDir();
    const lib = process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
    if (!dir || !existsSync(path.join(dir, lib))) {
      return 'CUDA provider libraries are not installed (npm install downloads them only where an NVIDIA GPU is present)';
    }
  }
  if (provider === 'webgpu' && process.platform === 'linux') {
    const dri = existsSync('/dev/dri') ? readdirSync('/dev/dri').some((n) => n.startsWith('renderD')) : false;
    if (!dri && !existsSync('/dev/nvidia0')) return 'no GPU device found (/dev/dri/renderD*, /dev/nvidia0)';
  }
  return null;
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0].slice(0, 300);
}

export interface Opened<T> {
  value: T;
  provider: ProviderName;
  /** Why preferred providers were skipped (empty when the first choice loaded). */
  fallbacks: string[];
}

/** Opens with the first provider that loads; the last reason is thrown when none does. */
export async function openWithFallback<T>(
  providers: ProviderName[],
  open: (provider: ProviderName) => Promise<T>,
  what: string,
): Promise<Opened<T>> {
  const fallbacks: string[] = [];
  for (const provider of providers) {
    const skip = providerSkipReason(provider);
    if (skip) {
      fallbacks.push(`${provider}: ${skip}`);
      continue;
    }
    try {
      return { value: await open(provider), provider, fallbacks };
    } catch (e) {
      const reason = firstLine(e);
      if (provider !== 'cpu' && PROVIDER_MISSING.test(reason)) unavailable.set(provider, reason);
      fallbacks.push(`${provider}: ${reason}`);
      if (provider === 'cpu') throw new Error(`${what}: ORT could not load it: ${reason}`);
    }
  }
  throw new Error(`${what}: no execution provider loaded (${fallbacks.join('; ')})`);
}
