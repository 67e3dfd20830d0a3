/**
 * Rank selection over one score row without sorting it. Items are ordered by score descending,
 * ties by lower id first, so every item has exactly one rank and the labels never depend on how a
 * sort breaks ties (−0 and +0 count as equal scores).
 *
 * For speed the order is packed into one float64 key per item, compared with plain `>`:
 *   key = ordered32(score) · 2^21 + (2^21 − 1 − item)      (exact: < 2^53)
 * where ordered32 maps float32 bit patterns to uint32 in numeric order. A larger key ranks first.
 * `selectKey` is quickselect (nth_element) over such keys: O(N) expected, with a sort fallback
 * that bounds the worst case at O(N log N).
 */

/** Items per row the key packing supports (ids 1 … MAX_RANKED_ITEMS). */
export const MAX_RANKED_ITEMS = 2 ** 21 - 1;
const ID_SPACE = 2 ** 21;

/** True when item a ranks before item b under `scores`. */
export function ranksBefore(scores: Float32Array, a: number, b: number): boolean {
  const sa = scores[a];
  const sb = scores[b];
  return sa > sb || (sa === sb && a < b);
}

/** Key of `item` whose score has the float32 bit pattern `bits` (from a Uint32Array view). */
export function rankKey(bits: number, item: number): number {
  if (bits === 0x80000000) bits = 0; // −0 ranks like +0
  const ordered = bits & 0x80000000 ? ~bits >>> 0 : (bits | 0x80000000) >>> 0;
  return ordered * ID_SPACE + (ID_SPACE - 1 - item);
}

export function itemOfKey(key: number): number {
  return ID_SPACE - 1 - (key % ID_SPACE);
}

/** A uint32 view of a float32 row, for rankKey. */
export const scoreBits = (scores: Float32Array) => new Uint32Array(scores.buffer, scores.byteOffset, scores.length);

const MAX_PARTITION_ROUNDS = 64;

/**
 * Reorders keys[lo..hi) so that keys[k] is the one of rank k − lo in that range (largest first),
 * larger keys lie in [lo, k) and smaller ones in (k, hi). Keys must be distinct. Returns keys[k].
 */
export function selectKey(keys: Float64Array, lo: number, hi: number, k: number): number {
  if (k < lo || k >= hi) throw new RangeError(`rank ${k} outside [${lo}, ${hi})`);
  let rounds = 0;
  while (hi - lo > 1) {
    if (++rounds > MAX_PARTITION_ROUNDS) {
      keys.subarray(lo, hi).sort().reverse();
      break;
    }
    const pivot = medianOfThree(keys[lo], keys[(lo + hi) >>> 1], keys[hi - 1]);
    // Hoare partition; keys are distinct, so only the pivot itself can end between j and i.
    let i = lo;
    let j = hi - 1;
    while (i <= j) {
      while (keys[i] > pivot) i++;
      while (pivot > keys[j]) j--;
      if (i <= j) {
        const t = keys[i];
        keys[i] = keys[j];
        keys[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j + 1;
    else if (k >= i) lo = i;
    else break;
  }
  return keys[k];
}

function medianOfThree(a: number, b: number, c: number): number {
  if (a > b) return b > c ? b : Math.min(a, c);
  return a > c ? a : Math.min(b, c);
}
