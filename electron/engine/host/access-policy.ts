/**
 * Which folders a UI request may touch (DESIGN.md §9: the renderer reaches only project folders the
 * user opened). Every path a request carries is resolved and must lie inside one of the granted
 * roots: in Electron the folders picked in a native dialog, in browser mode the bridge's --root.
 * Main, the bridge and the engine host all run this check (defence in depth); it is pure, so it is
 * tested without Electron.
 */
import path from 'node:path';
import type { ApiMethod } from '../../contracts/api.ts';

/** The params fields that hold file-system paths, per method. */
const PATH_FIELDS: Partial<Record<ApiMethod, readonly string[]>> = {
  'project.create': ['dir'],
  'project.open': ['dir'],
  'dataset.preview': ['input'],
  'dataset.import': ['project', 'input'],
  'dataset.inspect': ['project'],
  'recommender.train': ['project'],
  'recommender.evaluation': ['project'],
  'recommender.metrics': ['project'],
  'llm.createTiny': ['project'],
  'llm.inspect': ['dir'],
  'llm.useHf': ['project', 'dir'],
  'align.train': ['project'],
  'align.eval': ['project'],
  'runs.list': ['project'],
  'runs.metrics': ['project'],
  'runs.eval': ['project'],
  'explorer.users': ['project'],
  'explorer.user': ['project'],
  'explorer.attribution': ['project'],
  'explain.start': ['project'],
  'explain.faithfulness': ['project'],
  'pipeline.start': ['project'],
};

export function requestPaths(method: ApiMethod, params: unknown): { field: string; path: string }[] {
  const fields = PATH_FIELDS[method] ?? [];
  const p = (params ?? {}) as Record<string, unknown>;
  const own = fields.filter((f) => typeof p[f] === 'string').map((f) => ({ field: f, path: p[f] as string }));
  if (method !== 'pipeline.start' || !Array.isArray(p.steps)) return own;
  // A pipeline carries requests of its own: each step's paths are checked as if it were sent alone.
  const steps = (p.steps as { kind?: unknown; params?: unknown }[]).flatMap((step, k) =>
    typeof step?.kind === 'string' && Object.hasOwn(PATH_FIELDS, step.kind)
      ? requestPaths(step.kind as ApiMethod, step.params).map((x) => ({ ...x, field: `steps[${k}].params.${x.field}` }))
      : [],
  );
  return [...own, ...steps];
}

/** True when `target` is `root` or lies below it (after resolving `..` and relative parts). */
export function isInside(target: string, root: string): boolean {
  const rel = path.relative(path.resolve(root), path.resolve(target));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** The first path of the request outside every root, or null when all are allowed. */
export function deniedPath(
  method: ApiMethod,
  params: unknown,
  roots: readonly string[],
): { field: string; path: string } | null {
  for (const p of requestPaths(method, params)) {
    if (!path.isAbsolute(p.path) || !roots.some((r) => isInside(p.path, r))) return p;
  }
  return null;
}

/** The error a UI sees for a denied path. */
export function accessError(denied: { field: string; path: string }) {
  return {
    code: 'forbidden' as const,
    field: denied.field,
    message: path.isAbsolute(denied.path)
      ? `${denied.path} is outside the folders this window may use; open it through the folder dialog first`
      : `${denied.path} is not an absolute path`,
  };
}
