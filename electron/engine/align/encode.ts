/**
 * Turns an AlignExample into token ids, labels and placeholder slots (docs/alignment.md).
 *
 * Layout: with a chat template, the prompt is the user turn and the answer the assistant turn;
 * the template is rendered once with sentinel contents and split into its fixed parts
 *   pre · PROMPT · mid · ANSWER · post        (generation: pre' · PROMPT · tail')
 * Without one: [BOS] · PROMPT · "\n" · ANSWER · [EOS]. Each part and each prompt piece is
 * tokenized on its own (addSpecialTokens off, so a template's own BOS is not doubled); whitespace
 * at a boundary between text pieces is moved to the start of the next piece, so "with A; B" splits
 * where a joint BPE tokenization would ("with" | " A;" | " B").
 * Labels: HF convention (aligned with ids, the loss shifts), −100 except the answer tokens and
 * post's tokens up to its first special token (the template's end of turn / EOS); post's tokens
 * after it are dropped, and an EOS stands in when post has no special token.
 * Placeholders: `<user>` / `<item>` are one special-token id each; a slot {position, kind, ref} is
 * recorded for each after truncation, so a placeholder can never lose its vector. Text that would
 * tokenize into a placeholder id is refused.
 * Truncation to maxLen: drop history titles oldest first; then, for the tasks whose prompt text is
 * free text (TEXT_CUT_TASKS), cut tokens from the end of the longest prompt text piece, one at a
 * time; placeholders, template parts and the answer are never cut. An example that still does not
 * fit is refused with an ExampleTooLongError, which training and evaluation count and skip
 * (encodeFitting).
 */
import { RecxError } from '../errors.ts';
import type { LoadedTokenizer } from '../llm/tokenizer.ts';
import { ITEM_TOKEN, USER_TOKEN } from '../llm/tokenizer-added-tokens.ts';
import { type AlignExample, HISTORY_SEPARATOR, type Segment, type TaskId } from './example.ts';

export const IGNORE_INDEX = -100;

/**
 * Tasks whose prompt may lose the tail of its text once the history is gone: their text is an item's
 * attributes (task 4) or a corpus line (task 5), and a shorter one still fits the answer. Elsewhere
 * the text holds what the answer is about (task 2's candidates, the item asked about), and cutting
 * it would teach or score a question that was never asked, so such an example is refused instead.
 */
export const TEXT_CUT_TASKS: ReadonlySet<number> = new Set([4, 5]);

/** An example that cannot fit maxLen without losing what its answer is about. */
export class ExampleTooLongError extends RecxError {
  override name = 'ExampleTooLongError';
  constructor(
    message: string,
    readonly task: number,
    readonly tokens: number,
    readonly maxLen: number,
  ) {
    super(message);
  }
}

export interface Slot {
  /** Index into ids of the placeholder token. */
  position: number;
  kind: 'user' | 'item';
  /** Anchor row (user) or item id (item), as in the segment. */
  ref: number;
}

export interface EncodedExample {
  ids: number[];
  labels: number[];
  slots: Slot[];
  /** Index of the first answer token in ids. */
  answerStart: number;
  /** The prompt for generation (the template's generation header at the end), same truncation. */
  prompt: { ids: number[]; slots: Slot[] };
  droppedHistoryTitles: number;
  cutTextTokens: number;
}

interface Frame {
  pre: number[];
  mid: number[];
  /** post up to its first special token. */
  post: number[];
  genPre: number[];
  genTail: number[];
}

type Unit = { kind: 'text'; ids: number[] } | { kind: 'placeholder'; id: number; slot: 'user' | 'item'; ref: number };

const PROMPT_SENTINEL = 'RECXPROMPTSENTINEL';
const ANSWER_SENTINEL = 'RECXANSWERSENTINEL';

function splitOnce(text: string, sentinel: string, where: string): [string, string] {
  const at = text.indexOf(sentinel);
  if (at < 0 || text.indexOf(sentinel, at + 1) >= 0) {
    throw new RecxError(`${where}: the chat template must render each message's content exactly once`);
  }
  return [text.slice(0, at), text.slice(at + sentinel.length)];
}

function chatFrame(tok: LoadedTokenizer): Frame {
  const enc = (t: string) => tok.encode(t, { addSpecialTokens: false });
  if (!tok.hasChatTemplate) {
    const eos = tok.eosTokenId;
    return {
      pre: tok.bosTokenId === null ? [] : [tok.bosTokenId],
      mid: enc('\n'),
      post: eos === null ? [] : [eos],
      genPre: tok.bosTokenId === null ? [] : [tok.bosTokenId],
      genTail: enc('\n'),
    };
  }
  const full = tok.applyChatTemplate([
    { role: 'user', content: PROMPT_SENTINEL },
    { role: 'assistant', content: ANSWER_SENTINEL },
  ]);
  const [pre, rest] = splitOnce(full, PROMPT_SENTINEL, tok.source);
  const [mid, post] = splitOnce(rest, ANSWER_SENTINEL, tok.source);
  const gen = tok.applyChatTemplate([{ role: 'user', content: PROMPT_SENTINEL }], { addGenerationPrompt: true });
  const [genPre, genTail] = splitOnce(gen, PROMPT_SENTINEL, tok.source);
  const special = new Set(tok.specialTokenIds);
  const postIds = enc(post);
  const end = postIds.findIndex((id) => special.has(id));
  return {
    pre: enc(pre),
    mid: enc(mid),
    post: end >= 0 ? postIds.slice(0, end + 1) : tok.eosTokenId === null ? [] : [tok.eosTokenId],
    genPre: enc(genPre),
    genTail: enc(genTail),
  };
}

/** The prompt as text pieces and placeholders, `drop` oldest history titles removed. */
function promptPieces(segments: readonly Segment[], drop: number): (string | Segment)[] {
  const sepCore = HISTORY_SEPARATOR.trimEnd();
  const sepSpace = HISTORY_SEPARATOR.slice(sepCore.length);
  const pieces: (string | Segment)[] = [];
  let left = drop;
  for (const s of segments) {
    if (s.kind === 'text') pieces.push(s.text);
    else if (s.kind === 'history') {
      const skip = Math.min(left, s.titles.length);
      left -= skip;
      const kept = s.titles.slice(skip);
      for (const [k, t] of kept.entries()) {
        pieces.push((k > 0 ? sepSpace : '') + t + (k < kept.length - 1 ? sepCore : ''));
      }
    } else pieces.push(s);
  }
  // Whitespace ending a text piece moves to the start of the next text piece.
  for (let k = 0; k + 1 < pieces.length; k++) {
    const a = pieces[k];
    const b = pieces[k + 1];
    if (typeof a !== 'string' || typeof b !== 'string') continue;
    const trimmed = a.trimEnd();
    pieces[k] = trimmed;
    pieces[k + 1] = a.slice(trimmed.length) + b;
  }
  return pieces;
}

const titleCount = (segments: readonly Segment[]) =>
  segments.reduce((n, s) => n + (s.kind === 'history' ? s.titles.length : 0), 0);

const unitLength = (units: readonly Unit[]) => units.reduce((n, u) => n + (u.kind === 'text' ? u.ids.length : 1), 0);

export type ExampleEncoder = (example: AlignExample) => EncodedExample;

/** An encoder for one tokenizer and length (the chat template is rendered once). */
export function createEncoder(tok: LoadedTokenizer, maxLen: number): ExampleEncoder {
  if (!Number.isInteger(maxLen) || maxLen < 1) throw new RangeError(`maxLen must be an integer ≥ 1, got ${maxLen}`);
  const frame = chatFrame(tok);
  const placeholderIds = { user: tok.tokenToId(USER_TOKEN), item: tok.tokenToId(ITEM_TOKEN) };
  const forbidden = new Set([placeholderIds.user, placeholderIds.item].filter((id) => id !== null));
  const cache = new Map<string, number[]>();
  const encodeText = (text: string): number[] => {
    let ids = cache.get(text);
    if (ids === undefined) {
      ids = tok.encode(text, { addSpecialTokens: false });
      if (ids.some((id) => forbidden.has(id))) {
        throw new RecxError(
          `text ${JSON.stringify(text)} contains a placeholder token (${USER_TOKEN} or ${ITEM_TOKEN})`,
        );
      }
      if (cache.size > 50_000) cache.clear();
      cache.set(text, ids);
    }
    return ids;
  };
  const placeholder = (s: Segment & { kind: 'user' | 'item' }): Unit => {
    const id = placeholderIds[s.kind];
    if (id === null) {
      const token = s.kind === 'user' ? USER_TOKEN : ITEM_TOKEN;
      throw new RecxError(`${tok.source}: the tokenizer has no ${token} token; add the placeholder tokens first`);
    }
    return { kind: 'placeholder', id, slot: s.kind, ref: s.ref };
  };
  const unitsOf = (segments: readonly Segment[], drop: number): Unit[] =>
    promptPieces(segments, drop).map((p) =>
      typeof p === 'string'
        ? { kind: 'text', ids: [...encodeText(p)] }
        : placeholder(p as Segment & { kind: 'user' | 'item' }),
    );

  return (example) => {
    const answer = encodeText(example.answer);
    const fixed = frame.pre.length + frame.mid.length + answer.length + frame.post.length;
    const titles = titleCount(example.segments);
    let drop = 0;
    let units = unitsOf(example.segments, 0);
    while (fixed + unitLength(units) > maxLen && drop < titles) units = unitsOf(example.segments, ++drop);
    let excess = fixed + unitLength(units) - maxLen;
    if (excess > 0) {
      const floor = fixed + units.filter((u) => u.kind === 'placeholder').length;
      if (floor > maxLen) {
        throw new ExampleTooLongError(
          `maxLen ${maxLen} cannot hold task ${example.task}'s answer, placeholders and chat template (${floor} tokens at least)`,
          example.task,
          floor,
          maxLen,
        );
      }
      if (!TEXT_CUT_TASKS.has(example.task)) {
        throw new ExampleTooLongError(
          `task ${example.task}'s example needs ${maxLen + excess} tokens even without its history, over maxLen ${maxLen}`,
          example.task,
          maxLen + excess,
          maxLen,
        );
      }
    }
    let cut = 0;
    while (excess > 0) {
      let longest: (Unit & { kind: 'text' }) | null = null;
      for (const u of units) if (u.kind === 'text' && u.ids.length > (longest?.ids.length ?? 0)) longest = u;
      if (longest === null) throw new Error('unreachable: the floor check above leaves text to cut');
      longest.ids.pop();
      excess--;
      cut++;
    }
    const assemble = (head: number[], tail: number[]) => {
      const ids = [...head];
      const slots: Slot[] = [];
      for (const u of units) {
        if (u.kind === 'text') ids.push(...u.ids);
        else {
          slots.push({ position: ids.length, kind: u.slot, ref: u.ref });
          ids.push(u.id);
        }
      }
      ids.push(...tail);
      return { ids, slots };
    };
    const { ids, slots } = assemble(frame.pre, frame.mid);
    const answerStart = ids.length;
    ids.push(...answer, ...frame.post);
    const labels = ids.map((id, k) => (k >= answerStart ? id : IGNORE_INDEX));
    return {
      ids,
      labels,
      slots,
      answerStart,
      prompt: assemble(frame.genPre, frame.genTail),
      droppedHistoryTitles: drop,
      cutTextTokens: cut,
    };
  };
}

/** Encoded examples that fit, and how many of each task did not (ExampleTooLongError). */
export interface FittingExamples<E extends AlignExample> {
  fitting: { example: E; encoded: EncodedExample }[];
  tooLong: Partial<Record<TaskId, number>>;
}

/** Encodes every example, skipping (and counting) those too long for the encoder's maxLen. */
export function encodeFitting<E extends AlignExample>(
  examples: readonly E[],
  encode: ExampleEncoder,
): FittingExamples<E> {
  const out: FittingExamples<E> = { fitting: [], tooLong: {} };
  for (const example of examples) {
    try {
      out.fitting.push({ example, encoded: encode(example) });
    } catch (err) {
      if (!(err instanceof ExampleTooLongError)) throw err;
      out.tooLong[example.task] = (out.tooLong[example.task] ?? 0) + 1;
    }
  }
  return out;
}

/** "task 2: 14 of 400, task 6: 3 of 400" for a warning; null when nothing was skipped. */
export function tooLongText(
  tooLong: Partial<Record<TaskId, number>>,
  examples: readonly AlignExample[],
): string | null {
  const parts = Object.entries(tooLong).map(([task, n]) => {
    const of = examples.filter((e) => e.task === Number(task)).length;
    return `task ${task}: ${n} of ${of}`;
  });
  return parts.length === 0 ? null : parts.join(', ');
}

export function encodeExample(example: AlignExample, tok: LoadedTokenizer, maxLen: number): EncodedExample {
  return createEncoder(tok, maxLen)(example);
}
