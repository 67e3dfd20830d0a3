/**
 * A language model as an Answerer: the aligned LM and the untrained-LM baseline alike. Prompt
 * encoding (chat template, placeholders, injected vectors) is not here: the caller passes
 * `encodePrompt`, which returns the prompt ids ending with the assistant header and, for I/H, the
 * vectors to add to the token embeddings.
 *
 * Generation follows the paper: beam search with numBeams = numReturnSequences = `beams` (5 for
 * task 1; HF defaults otherwise: length penalty 1, no early stopping) and greedy when `beams` is 1.
 * Answers are decoded without special tokens and trimmed. With `choices`, decoding is constrained to
 * those answers, each tokenized as training tokenizes an answer (the whole text, no special tokens),
 * so the model picks among exactly the sequences it was trained to write. It is a beam search of
 * CHOICE_BEAMS beams over raw log-probabilities (length penalty 0), which looks for the answer the
 * model finds most probable: token-by-token greedy commits to a first token before it sees the
 * titles behind it, and titles that share their first tokens ("The …") pool their probability there.
 * On the demo's H run (100 task-2 test examples) greedy scored NDCG@5 0.60, this beam 0.71 and the
 * exact most probable of the 120 orderings 0.68. Each answer gets at most `maxNewTokens`, and no more than the runtime's
 * maxLength leaves after its own prompt (not the batch's longest: on long-title data that cut a
 * quarter of the task-2 answers short).
 *
 * Yes/no (task 3): the next-token logits after the prompt of the first token of "Yes" and of "No"
 * as the tokenizer encodes each word alone, without special tokens. That is the token an answer
 * starts with right after the assistant header (Llama-3: "Yes"; SentencePiece tokenizers add their
 * word-start marker, "▁Yes", as they do after "[/INST]"); pass `yesNoTokenIds` where a template
 * puts the answer after something else.
 */
import { generate, scoreNextToken } from '../../llm/generate.ts';
import type { GenerateOptions } from '../../llm/generation-types.ts';
import type { NextTokenModel, PrefillOptions } from '../../llm/next-token-model.ts';
import type { LoadedTokenizer } from '../../llm/tokenizer.ts';
import type { Answerer } from './answerer.ts';
import type { EvalExample } from './eval-example.ts';

/** Beams of the search constrained to `choices`. */
export const CHOICE_BEAMS = 5;

/** An example's prompt as the model reads it. */
export interface EncodedPrompt {
  ids: number[];
  /** Row-major [ids.length, hidden] vectors added to the token embeddings (I/H placeholders). */
  addEmbeddings?: Float32Array | null;
}

export type EncodePrompt = (example: EvalExample) => EncodedPrompt;

/** What the answerer needs from a tokenizer (LoadedTokenizer has it). */
export type AnswerTokenizer = Pick<LoadedTokenizer, 'encode' | 'decode' | 'eosTokenId'>;

export interface LmAnswererOptions {
  /** [yes, no] token ids; default yesNoTokenIds(tokenizer). */
  yesNoTokenIds?: readonly [number, number];
  /** Default: the runtime's EOS ids, else the tokenizer's EOS. */
  eosTokenIds?: readonly number[];
  /** Longest prompt + answer in tokens; default the runtime's maxLength (when it has one). */
  maxLength?: number;
}

/** The first token of "Yes" and of "No", each encoded alone without special tokens. */
export function yesNoTokenIds(tokenizer: Pick<AnswerTokenizer, 'encode'>): [number, number] {
  const first = (word: string): number => {
    const ids = tokenizer.encode(word, { addSpecialTokens: false });
    if (ids.length === 0) throw new RangeError(`the tokenizer encodes "${word}" as no tokens`);
    return ids[0];
  };
  const ids: [number, number] = [first('Yes'), first('No')];
  if (ids[0] === ids[1]) throw new RangeError(`"Yes" and "No" start with the same token (${ids[0]})`);
  return ids;
}

function prefillOf(prompts: readonly EncodedPrompt[]): PrefillOptions | undefined {
  if (!prompts.some((p) => p.addEmbeddings)) return undefined;
  return { addEmbeddings: prompts.map((p) => p.addEmbeddings ?? null) };
}

export function lmAnswerer(
  runtime: NextTokenModel,
  tokenizer: AnswerTokenizer,
  encodePrompt: EncodePrompt,
  opts: LmAnswererOptions = {},
): Answerer {
  const yesNoIds = opts.yesNoTokenIds ?? yesNoTokenIds(tokenizer);
  const tokEos = tokenizer.eosTokenId;
  const eosTokenIds =
    opts.eosTokenIds ?? (runtime.eosTokenIds.length > 0 ? runtime.eosTokenIds : tokEos !== null ? [tokEos] : undefined);
  const decode = (ids: readonly number[]) => tokenizer.decode(ids, { skipSpecialTokens: true });

  return {
    async generate(examples, { beams, maxNewTokens, choices }) {
      if (examples.length === 0) return [];
      const prompts = examples.map(encodePrompt);
      // Each answer stops where its own prompt + answer reach maxLength (generate's per-row limit);
      // a prompt that already fills the context gets an empty answer (scored as a miss).
      const common = { maxNewTokens, maxLength: opts.maxLength, eosTokenIds, decode, prefill: prefillOf(prompts) };
      if (choices && choices.length !== examples.length) throw new RangeError('choices need one list per example');
      const allowedSequences = choices?.map((list) =>
        list.map((answer) => tokenizer.encode(answer, { addSpecialTokens: false })),
      );
      const options: GenerateOptions = allowedSequences
        ? {
            ...common,
            strategy: 'beam',
            numBeams: Math.max(beams, CHOICE_BEAMS),
            numReturnSequences: beams,
            lengthPenalty: 0,
            allowedSequences,
          }
        : beams > 1
          ? { ...common, strategy: 'beam', numBeams: beams, numReturnSequences: beams }
          : { ...common, strategy: 'greedy' };
      const out = await generate(
        runtime,
        prompts.map((p) => p.ids),
        options,
      );
      return out.map((seqs) => seqs.map((s) => (s.text ?? decode(s.tokens)).trim()));
    },
    async yesNo(examples) {
      const out = new Float32Array(2 * examples.length);
      if (examples.length === 0) return out;
      const prompts = examples.map(encodePrompt);
      const scores = await scoreNextToken(
        runtime,
        prompts.map((p) => p.ids),
        yesNoIds,
        { prefill: prefillOf(prompts) },
      );
      scores.forEach((s, i) => {
        out.set(s.logits, 2 * i);
      });
      return out;
    },
  };
}
