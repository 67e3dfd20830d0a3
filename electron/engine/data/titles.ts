/**
 * Title cleaning. Titles are what the language model reads and writes, and task answers list
 * several titles joined by "; ", so a title must not itself contain ';' (replaced by ',') and
 * carries no control characters, stray quotes or separators at its ends, or runs of whitespace.
 */
const EDGE_JUNK = /^[\s"'`,;:|/\\\-–—_*~]+|[\s"'`,;:|/\\\-–—_*~]+$/g;

function isControl(code: number): boolean {
  return code < 0x20 || code === 0x7f;
}

export function cleanTitle(title: string): string {
  let s = '';
  for (const ch of title) s += isControl(ch.charCodeAt(0)) ? ' ' : ch;
  return s.replace(/;/g, ',').replace(/\s+/g, ' ').replace(EDGE_JUNK, '').trim();
}
