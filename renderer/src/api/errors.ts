/** Turns engine errors into words placed next to the input they concern. */

/**
 * The field an error concerns. Duck-typed rather than `instanceof RecxApiError`: an error thrown in
 * Electron's preload world crosses contextBridge as a copy, not as an instance of our class.
 */
function fieldOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { field?: unknown; error?: { field?: unknown } };
  if (typeof e.field === 'string') return e.field;
  if (typeof e.error?.field === 'string') return e.error.field;
  return undefined;
}

/** Plain-words message of anything a request can reject with. */
export function plainError(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'object' && err !== null && typeof (err as { message?: unknown }).message === 'string') {
    return (err as { message: string }).message;
  }
  return String(err);
}

/**
 * `{field: message}` for an error, keyed by the field it concerns when the form has that field (or
 * the first segment of a nested one: "csv.userCol" → "csv"), otherwise by `fallback`.
 */
export function fieldErrors(err: unknown, known: readonly string[], fallback = 'form'): Record<string, string> {
  const message = plainError(err);
  const field = fieldOf(err);
  if (field && known.includes(field)) return { [field]: message };
  const head = field?.split(/[.[]/)[0];
  if (head && known.includes(head)) return { [head]: message };
  return { [fallback]: message };
}
