/**
 * The built-in tiny LM's tokenizer, built from the project corpus (titles, attributes, task
 * templates) in one pass, with no trainer. It is a standard tokenizer.json and goes through the
 * same LoadedTokenizer path as real models.
 *
 * Decision: neither plain WordLevel nor BPE, but a WordPiece model used as a word-level vocabulary
 * with a character fallback.
 * - BPE needs a merge trainer; @huggingface/tokenizers 0.2.0 only encodes (no trainers), and BPE
 *   subwords would make a tiny model spend capacity assembling title words.
 * - WordLevel gives one token per word and a small vocabulary, but every word below the count or
 *   size cut becomes <unk>, so a title with a rare word could never be read or generated, and
 *   <unk> cannot be decoded back.
 * - WordPiece with whole corpus words plus every single character in two forms ("x" starting a
 *   word, "##x" continuing one) keeps one token per known word and spells any other word from
 *   characters; it only yields <unk> for a character never seen (outside printable ASCII). Its
 *   greedy longest-match needs no trainer. Numbers are digit sequences because no vocabulary entry
 *   holds a digit besides the digits themselves. Both libraries (JS and Rust) support it.
 * Spacing: the pre-tokenizer splits on whitespace only, so punctuation and digits inside a
 * whitespace-free chunk are "##" continuations, and the WordPiece decoder (cleanup off) puts a
 * space before each chunk and none inside: "Toy Story (1995)" → Toy Story ( ##1 ##9 ##9 ##5 ##)
 * decodes exactly. Case is kept (titles must come back as written); text is NFC-normalised.
 * What decode loses: runs of whitespace, tabs and newlines become one space; leading/trailing
 * whitespace goes; a special token is always followed and preceded by a space ("<user>'s" decodes
 * as "<user> 's"); a chunk holding a never-seen character decodes as <unk>; a chunk that itself
 * starts with "##" joins the previous one (as in BERT).
 */
import { RecxError } from '../errors.ts';
import { LoadedTokenizer } from './tokenizer.ts';
import { ITEM_TOKEN, USER_TOKEN } from './tokenizer-added-tokens.ts';
import type { AddedTokenJson, TokenizerFiles } from './tokenizer-json.ts';

export interface TinyTokenizerOptions {
  /** Corpus words seen fewer times are spelled from characters. Default 2. */
  minCount?: number;
  /** Vocabulary size cap; special tokens, characters and glue words always fit first. Default 8000. */
  maxVocab?: number;
  /** model_max_length in tokenizer_config.json (the tiny LM's context length), when known. */
  modelMaxLength?: number;
}

export const PAD_TOKEN = '<pad>';
export const UNK_TOKEN = '<unk>';
export const BOS_TOKEN = '<s>';
export const EOS_TOKEN = '</s>';
export const ROLE_TOKENS = ['<|system|>', '<|user|>', '<|assistant|>'] as const;
export const TINY_SPECIAL_TOKENS = [PAD_TOKEN, UNK_TOKEN, BOS_TOKEN, EOS_TOKEN, USER_TOKEN, ITEM_TOKEN, ...ROLE_TOKENS];
const CONTINUATION = '##';

/** Each turn is "<|role|> content </s>"; the BOS opens the conversation, as in Llama-3's template. */
export const TINY_CHAT_TEMPLATE =
  "{{ bos_token }}{% for message in messages %}{% if message['role'] not in ['system', 'user', 'assistant'] %}" +
  "{{ raise_exception('Unknown chat role: ' + message['role']) }}{% endif %}" +
  "{{ '<|' + message['role'] + '|> ' + message['content'] | trim + ' ' + eos_token + ' ' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|assistant|>' }}{% endif %}";

/** Common English words of task templates and explanations, kept whatever the corpus holds. */
const GLUE_WORDS = `
a about above after again against ago all almost along already also although always am among an and another any
anyone anything are around as ask asked at away back based be because been before behind being below best better
between both but by call called can choose chosen close come comes common compared consider considering could
describe described description did different do does doing done down during each early either else end enjoy
enjoyed enjoys enough even ever every example explain explanation fact fan favorite few find first following for
found from full further get gives given go good great had has have having he her here high him his history how
however i if important in including instead interest interested interests into is it item items its itself just
keep kind know last later least less like liked likes likely list low made main make many may me mean means might
more most movie movies much must my name named need never new next no none nor not nothing now number of off
often on once one only or order other others our out over own part past people perhaps picked place please
possible prefer preferred prefers probably product products rank ranked ranking rate rated rating rather really
reason reasons recent recently recommend recommendation recommendations recommended recommender related same score
scored second see seems seen series several she should show shown similar similarity since so some something
sometimes strong strongly such suggest suggests sure than that the their them then there these they thing things
think third this those though three through thus title titles to together too top two type under up us use used
user users usually very view viewed want was watch watched watching way we well were what when where whether which
while who whose why will with within without would yes yet you your also genre genres category categories brand
year released shares share both style topic topics book books song songs game games buy bought purchase purchased
read review reviews answer question candidate candidates following below above only output format reply respond
`;

function glueWords(): string[] {
  const lower = [...new Set(GLUE_WORDS.split(/\s+/).filter((w) => w.length > 0))];
  return [...lower, ...lower.map((w) => w[0].toUpperCase() + w.slice(1))];
}

/** Letter runs (kept whole) and single other characters of one whitespace-free chunk. */
const PIECE = /[\p{L}\p{M}]+|./gu;

function countCorpus(corpus: Iterable<string>): { words: Map<string, number>; chars: Set<string> } {
  const words = new Map<string, number>();
  const chars = new Set<string>();
  for (const text of corpus) {
    for (const chunk of text.normalize('NFC').split(/\s+/)) {
      if (chunk.length === 0) continue;
      let first = true;
      for (const [piece] of chunk.matchAll(PIECE)) {
        for (const ch of piece) chars.add(ch);
        if ([...piece].length > 1) {
          const form = first ? piece : CONTINUATION + piece;
          words.set(form, (words.get(form) ?? 0) + 1);
        }
        first = false;
      }
    }
  }
  return { words, chars };
}

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function vocabularyOf(corpus: Iterable<string>, minCount: number, maxVocab: number): string[] {
  const { words, chars } = countCorpus(corpus);
  const ascii = Array.from({ length: 126 - 33 + 1 }, (_, i) => String.fromCharCode(33 + i));
  const extra = [...chars].filter((c) => !ascii.includes(c)).sort(byCodePoint);
  const alphabet = [...ascii, ...extra];
  const vocab = [...TINY_SPECIAL_TOKENS, ...alphabet, ...alphabet.map((c) => CONTINUATION + c)];
  const seen = new Set(vocab);
  for (const w of glueWords()) {
    if (!seen.has(w)) {
      seen.add(w);
      vocab.push(w);
    }
  }
  if (vocab.length > maxVocab) {
    throw new RecxError(
      `tiny tokenizer: maxVocab ${maxVocab} is below the ${vocab.length} fixed entries (special tokens, characters, glue words)`,
    );
  }
  const ranked = [...words]
    .filter(([w, n]) => n >= minCount && !seen.has(w))
    .sort((a, b) => b[1] - a[1] || byCodePoint(a[0], b[0]));
  for (const [w] of ranked.slice(0, maxVocab - vocab.length)) vocab.push(w);
  return vocab;
}

function specialTokenJson(content: string, id: number): AddedTokenJson {
  return { id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true };
}

/** The tokenizer files of the built-in tiny LM for `corpus` (deterministic for a given corpus). */
export function tinyTokenizerFiles(corpus: Iterable<string>, opts: TinyTokenizerOptions = {}): TokenizerFiles {
  const minCount = opts.minCount ?? 2;
  const maxVocab = opts.maxVocab ?? 8000;
  if (!Number.isInteger(minCount) || minCount < 1) throw new RecxError(`tiny tokenizer: minCount must be >= 1`);
  if (!Number.isInteger(maxVocab) || maxVocab < 1) throw new RecxError(`tiny tokenizer: maxVocab must be >= 1`);
  const vocab = vocabularyOf(corpus, minCount, maxVocab);
  const ids = Object.fromEntries(vocab.map((token, id) => [token, id]));
  const bos = ids[BOS_TOKEN];
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: TINY_SPECIAL_TOKENS.map((t) => specialTokenJson(t, ids[t])),
    normalizer: { type: 'NFC' },
    pre_tokenizer: { type: 'WhitespaceSplit' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: BOS_TOKEN, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: BOS_TOKEN, type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: BOS_TOKEN, type_id: 1 } },
        { Sequence: { id: 'B', type_id: 1 } },
      ],
      special_tokens: { [BOS_TOKEN]: { id: BOS_TOKEN, ids: [bos], tokens: [BOS_TOKEN] } },
    },
    decoder: { type: 'WordPiece', prefix: CONTINUATION, cleanup: false },
    model: {
      type: 'WordPiece',
      unk_token: UNK_TOKEN,
      continuing_subword_prefix: CONTINUATION,
      max_input_chars_per_word: 100,
      vocab: ids,
    },
  };
  const config: Record<string, unknown> = {
    tokenizer_class: 'PreTrainedTokenizerFast',
    bos_token: BOS_TOKEN,
    eos_token: EOS_TOKEN,
    unk_token: UNK_TOKEN,
    pad_token: PAD_TOKEN,
    additional_special_tokens: [USER_TOKEN, ITEM_TOKEN, ...ROLE_TOKENS],
    clean_up_tokenization_spaces: false,
    chat_template: TINY_CHAT_TEMPLATE,
  };
  if (opts.modelMaxLength !== undefined) config.model_max_length = opts.modelMaxLength;
  return { tokenizer, config, specialTokensMap: null, chatTemplate: null };
}

/** The built-in tiny LM's tokenizer for `corpus`; save it with saveTokenizer. */
export function buildTinyTokenizer(corpus: Iterable<string>, opts: TinyTokenizerOptions = {}): LoadedTokenizer {
  return new LoadedTokenizer(tinyTokenizerFiles(corpus, opts), 'built-in tiny tokenizer');
}
