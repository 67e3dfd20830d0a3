/** Builds the renderer into dist/renderer: served by the Electron app's protocol and by the browser bridge. */
import path from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: path.dirname(new URL(import.meta.url).pathname),
  base: './',
  plugins: [react()],
  build: {
    outDir: path.resolve(path.dirname(new URL(import.meta.url).pathname), '../dist/renderer'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
  },
});
