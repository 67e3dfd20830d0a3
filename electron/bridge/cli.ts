/**
 * `npm run web`: starts the engine host and the browser bridge, prints the URL to open (with the
 * start's token) and opens it. Ctrl-C / SIGTERM stop the host and the server. Exit codes: 0 after a
 * clean stop, 1 when it cannot start, 2 for a wrong command line.
 */
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { CommanderError } from 'commander';
import { BridgeUsageError, parseBridgeArgs } from './cli-options.ts';
import { isLoopbackHost } from './security.ts';
import { DEFAULT_STATIC_DIR, startBridgeServer } from './server.ts';

const err = (s: string) => process.stderr.write(s.endsWith('\n') ? s : `${s}\n`);

function openBrowser(url: string): void {
  const [cmd, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url]]
        : ['xdg-open', [url]];
  const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
  child.on('error', () => err(`could not open a browser; open ${url} yourself`));
  child.unref();
}

/** The exit code, or 'serving' while the bridge runs (the signal handlers exit later). */
async function main(argv: readonly string[]): Promise<number | 'serving'> {
  let options: ReturnType<typeof parseBridgeArgs>;
  try {
    options = parseBridgeArgs(argv, process.cwd(), { out: (s) => process.stdout.write(s), err });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof BridgeUsageError) {
      err(`error: ${e.message}`);
      return 2;
    }
    throw e;
  }
  if (!existsSync(options.root) || !statSync(options.root).isDirectory()) {
    err(`error: --root ${options.root} is not a folder`);
    return 1;
  }
  const staticDir = options.staticDir ?? DEFAULT_STATIC_DIR;
  if (!existsSync(path.join(staticDir, 'index.html'))) {
    err(`warning: no renderer build in ${staticDir}; run npm run build:renderer`);
  }
  if (!isLoopbackHost(options.host)) {
    err(
      `WARNING: listening on ${options.host}: anyone who can reach this port and knows the token can use the ` +
        `engine and read and write files under ${options.root}; the connection is not encrypted.`,
    );
  }

  const bridge = await startBridgeServer({
    root: options.root,
    host: options.host,
    port: options.port,
    hostEntry: options.hostEntry,
    staticDir,
    log: err,
  });
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130); // a second Ctrl-C does not wait for the host's checkpoint
    stopping = true;
    err(`${signal}: stopping the engine and the server`);
    bridge.close().then(
      () => process.exit(0),
      (e: Error) => {
        err(`error while stopping: ${e.message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  err(`engine root: ${bridge.root}; starting the engine…`);
  await bridge.whenHostReady();
  process.stdout.write(`${bridge.url}\n`);
  if (options.json) process.stdout.write(`${JSON.stringify({ url: bridge.url, port: bridge.port })}\n`);
  if (options.open) openBrowser(bridge.url);
  return 'serving';
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 'serving') process.exit(code);
  },
  (e: Error) => {
    err(`error: ${e.message}`);
    process.exit(1);
  },
);
