/**
 * Constrained decoding (HF's `prefix_allowed_tokens_fn`, with the allowed answers given as whole
 * token sequences): a prefix tree of the allowed sequences. At a node the allowed next tokens are
 * its children, plus the EOS when an allowed sequence ends there; so the output is always exactly
 * one of the allowed sequences (one that is a prefix of another ends when EOS outscores every
 * continuation). Greedy walks it one chosen token at a time (TrieWalker); beam search keeps a node
 * per beam (beam-search.ts). Used by evaluation where the answer must be one of a known set (task 2:
 * an ordering of the shown candidates) so that a small LM is scored on its choice, not its spelling.
 */

export interface TrieNode {
  readonly children: Map<number, TrieNode>;
  end: boolean;
}

type Node = TrieNode;

/** The tokens allowed after `node`: its children, and the EOS where an allowed sequence ends. */
export function allowedAfter(node: TrieNode, eosTokenId: number): number[] {
  const out = [...node.children.keys()];
  if (node.end && !node.children.has(eosTokenId)) out.push(eosTokenId);
  return out;
}

const newNode = (): Node => ({ children: new Map(), end: false });

export class TokenTrie {
  private readonly root = newNode();

  constructor(sequences: readonly (readonly number[])[]) {
    if (sequences.length === 0) throw new RangeError('TokenTrie: no allowed sequences');
    for (const seq of sequences) {
      let node = this.root;
      for (const t of seq) {
        let next = node.children.get(t);
        if (!next) {
          next = newNode();
          node.children.set(t, next);
        }
        node = next;
      }
      node.end = true;
    }
  }

  /** The empty prefix: where every allowed sequence starts. */
  get start(): TrieNode {
    return this.root;
  }

  /** A walker over the trie for one generated sequence. */
  walker(eosTokenId: number): TrieWalker {
    return new TrieWalker(this.root, eosTokenId);
  }
}

export class TrieWalker {
  constructor(
    private node: Node | null,
    private readonly eos: number,
  ) {}

  /** The allowed token with the highest score (ties: the lowest id); the EOS once a sequence is complete. */
  choose(scores: ArrayLike<number>): number {
    const node = this.node;
    if (!node) return this.eos;
    let best = node.end ? this.eos : -1;
    let bestScore = node.end ? scores[this.eos] : Number.NEGATIVE_INFINITY;
    for (const t of node.children.keys()) {
      const s = scores[t];
      if (best < 0 || s > bestScore || (s === bestScore && t < best)) {
        best = t;
        bestScore = s;
      }
    }
    return best;
  }

  /** Moves along `token` (the EOS, or a token outside the trie, ends the walk). */
  advance(token: number): void {
    this.node = this.node?.children.get(token) ?? null;
  }
}
