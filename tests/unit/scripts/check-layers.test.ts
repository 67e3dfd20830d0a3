import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findLayerViolations, importsOf } from '../../../scripts/check-layers.ts';

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'recx-layers-'));
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
    writeFileSync(path.join(root, f), text);
  }
  return root;
}

describe('layering check', () => {
  it('finds static, dynamic, re-export and require imports with their lines', () => {
    const text =
      "import a from 'x';\nexport { b } from \"y\";\nconst c = await import('z');\nrequire('w');\nimport 'side';";
    expect(importsOf(text)).toEqual([
      { specifier: 'x', line: 1 },
      { specifier: 'y', line: 2 },
      { specifier: 'z', line: 3 },
      { specifier: 'w', line: 4 },
      { specifier: 'side', line: 5 },
    ]);
  });

  it('rejects electron in the engine, Node/engine in the renderer and contracts, ORT outside graph/', () => {
    const root = tree({
      'electron/engine/data/a.ts': "import { app } from 'electron';\nimport fs from 'node:fs';",
      'electron/engine/graph/ort.ts': "import * as ort from 'onnxruntime-node';",
      'electron/engine/models/m.ts': "import * as ort from 'onnxruntime-node';",
      'renderer/src/App.tsx':
        "import fs from 'fs';\nimport { x } from '../../electron/engine/data/a.ts';\nimport { y } from '../../electron/contracts/c.ts';",
      'electron/contracts/c.ts': "import { z } from 'zod';\nimport path from 'node:path';",
      'electron/main/main.ts': "import { app } from 'electron';\nimport { run } from '../engine/data/a.ts';",
    });
    const found = findLayerViolations(root).map((v) => `${v.file}:${v.line}:${v.specifier}`);
    expect(found.sort()).toEqual(
      [
        'electron/contracts/c.ts:2:node:path',
        'electron/engine/data/a.ts:1:electron',
        'electron/engine/models/m.ts:1:onnxruntime-node',
        'renderer/src/App.tsx:1:fs',
        'renderer/src/App.tsx:2:../../electron/engine/data/a.ts',
      ].sort(),
    );
  });

  it('passes on this repository', () => {
    expect(findLayerViolations(process.cwd())).toEqual([]);
  });
});
