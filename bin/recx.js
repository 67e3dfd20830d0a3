#!/usr/bin/env node
// `recx` runs the TypeScript sources directly through tsx, so no build step is needed after install.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../electron/cli/main.ts');
process.exitCode = await main(process.argv);
