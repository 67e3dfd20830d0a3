/**
 * Entry of the engine host process (DESIGN.md §9: onnxruntime-node's run() blocks its thread, so
 * the engine never runs in Electron's main process or the bridge's server). Started as an Electron
 * utilityProcess (messages through `process.parentPort`) or as a Node child process forked with an
 * IPC channel (`process.send`, the browser bridge). Arguments: `--mode electron|browser`, `--root
 * <dir>` (repeatable: folders granted from the start).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { EngineHost } from './engine-host.ts';
import { type HostOutgoing, isControlMessage } from './host-protocol.ts';

interface ParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

function argValues(name: string): string[] {
  const out: string[] = [];
  process.argv.forEach((a, i) => {
    if (a === name && process.argv[i + 1] !== undefined) out.push(process.argv[i + 1]);
  });
  return out;
}

/** package.json beside the sources (tsx) or one level above the bundle (out/engine-host.mjs). */
function packageVersion(): string {
  const here = path.dirname(new URL(import.meta.url).pathname);
  for (const rel of ['../../../package.json', '../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(here, rel), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'recexplainer-workbench' && pkg.version) return pkg.version;
    } catch {
      // try the next place
    }
  }
  return '0.0.0';
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
const send: (m: HostOutgoing) => void = parentPort
  ? (m) => parentPort.postMessage(m)
  : (m) => {
      process.send?.(m);
    };
const roots = argValues('--root').map((r) => path.resolve(r));
const mode = argValues('--mode')[0] === 'electron' ? 'electron' : 'browser';
const host = new EngineHost({
  send,
  roots,
  mode,
  version: packageVersion(),
  projectsRoot: roots[0] ?? null,
});

// Cancelled jobs save their checkpoints first (training stops at a step boundary), then the process ends.
function shutdown(): void {
  host.close().finally(() => process.exit(0));
}

const onMessage = (raw: unknown) => {
  if (isControlMessage(raw) && raw.action === 'shutdown') {
    shutdown();
    return;
  }
  host.handle(raw).catch((err: unknown) => process.stderr.write(`engine host: ${String(err)}\n`));
};
if (parentPort) parentPort.on('message', (e) => onMessage(e.data));
else if (process.send) process.on('message', onMessage);
else {
  process.stderr.write('engine host: start it as a utilityProcess or a forked child process (no IPC channel)\n');
  process.exit(2);
}

process.on('disconnect', shutdown);
process.on('SIGTERM', shutdown);
send({ type: 'ready', pid: process.pid });
