/**
 * Options of `npm run web` (electron/bridge/cli.ts). Listening beyond loopback exposes the engine,
 * and through it the files under --root, to the network, so it needs an explicit --allow-remote.
 */
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { isLoopbackHost } from './security.ts';

export interface BridgeCliOptions {
  port: number;
  host: string;
  root: string;
  open: boolean;
  json: boolean;
  allowRemote: boolean;
  /** Hidden: tests run the bridge with a fake host and a fixture renderer build. */
  hostEntry?: string;
  staticDir?: string;
}

/** A wrong command line: the message is for the user, the exit code is 2. */
export class BridgeUsageError extends Error {
  override name = 'BridgeUsageError';
}

function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new InvalidArgumentError('expected a port number 0-65535');
  return n;
}

/** Parses `argv` (without node and script); throws BridgeUsageError or commander's help/usage errors. */
export function parseBridgeArgs(
  argv: readonly string[],
  cwd: string,
  output: { out: (s: string) => void; err: (s: string) => void },
): BridgeCliOptions {
  const program = new Command('recx-web')
    .description('Serve the RecExplainer Workbench UI and engine API to a browser')
    .option('--port <n>', 'port to listen on (default: a free one)', parsePort, 0)
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--root <dir>', 'the folder projects may live in (default: the current directory)')
    .option('--allow-remote', 'allow listening on a non-loopback address', false)
    .option('--no-open', 'do not open a browser')
    .option('--json', 'also print {"url": …} as one JSON line', false)
    .addOption(new Option('--host-entry <file>').hideHelp())
    .addOption(new Option('--static-dir <dir>').hideHelp())
    .exitOverride()
    .configureOutput({ writeOut: output.out, writeErr: output.err });
  program.parse([...argv], { from: 'user' });
  const o = program.opts<{
    port: number;
    host: string;
    root?: string;
    allowRemote: boolean;
    open: boolean;
    json: boolean;
    hostEntry?: string;
    staticDir?: string;
  }>();
  if (!isLoopbackHost(o.host) && !o.allowRemote) {
    throw new BridgeUsageError(
      `refusing to listen on ${o.host}: it is reachable from other machines; pass --allow-remote to do it anyway`,
    );
  }
  return {
    port: o.port,
    host: o.host,
    root: path.resolve(cwd, o.root ?? '.'),
    open: o.open,
    json: o.json,
    allowRemote: o.allowRemote,
    hostEntry: o.hostEntry && path.resolve(cwd, o.hostEntry),
    staticDir: o.staticDir && path.resolve(cwd, o.staticDir),
  };
}
