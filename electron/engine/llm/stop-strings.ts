/**
 * Stop strings over decoded text. A stop string may span several tokens and the token that
 * completes it may run past its end (an "overhang", as HF's StopStringCriteria allows), so we look
 * for it anywhere in the generated text, not only as a suffix, and cut the text exactly where it starts.
 */

/** Start of the earliest occurrence of any stop string in `text`, or −1. */
export function findStopString(text: string, stopStrings: readonly string[]): number {
  let first = -1;
  for (const stop of stopStrings) {
    const at = text.indexOf(stop);
    if (at >= 0 && (first < 0 || at < first)) first = at;
  }
  return first;
}

/**
 * Length of the longest suffix of `text` that is a proper prefix of some stop string: text that a
 * stream must hold back because the next tokens may turn it into a stop string.
 */
export function pendingStopPrefixLength(text: string, stopStrings: readonly string[]): number {
  let longest = 0;
  for (const stop of stopStrings) {
    for (let k = Math.min(stop.length - 1, text.length); k > longest; k--) {
      if (text.endsWith(stop.slice(0, k))) {
        longest = k;
        break;
      }
    }
  }
  return longest;
}

/**
 * The longest prefix of `tokens` whose decoded text ends at or before character `cut`: the whole
 * tokens that lie before a stop string. A token straddling `cut` is dropped, so decode(result) can
 * be shorter than the text cut at `cut`.
 */
export function tokensBefore(
  tokens: readonly number[],
  decode: (ids: readonly number[]) => string,
  cut: number,
): number[] {
  const kept = tokens.slice();
  while (kept.length > 0 && decode(kept).length > cut) kept.pop();
  return kept;
}
