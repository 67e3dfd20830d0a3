/**
 * Phrasings of the alignment tasks (DESIGN.md §6: several per task, one chosen at random per
 * example). A frame is a sentence with slots — {user}, {item}, {candidates}, {attributes}, {text} —
 * and the method decides what fills them, so every frame reads for B, I and H alike:
 *   {user}  B: a noun phrase around the last ≤ 9 history titles · I: one around `<user>` ·
 *           H: `<user>` followed by the titles
 *   {item}  B: the title · I: `<item>` · H: `<item>` followed by the title
 * Frames never start with a slot, so the noun phrases can stay lower-case. Frames are counted per
 * task (task 4 per variant); noun phrases vary on top of them.
 */
import type { ItemRecord } from '../data/preprocess.ts';
import type { Rng } from '../random.ts';
import { type DiscriminationVariant, HISTORY_SEPARATOR, type Method, type Segment } from './example.ts';

export const NEXT_ITEM_FRAMES = [
  'Given {user}, which item will they most likely choose next? Answer with the title only.',
  'Predict the next item for {user}.',
  'What should be recommended next to {user}? Reply with one title.',
  'Based on {user}, name the item they are most likely to pick next.',
  'Which item would the recommender suggest first for {user}?',
  'Recommend one item to {user}. Give only its title.',
  'Consider {user}. What is the best next item for them?',
  'For {user}, what is the top recommendation?',
  'Guess the item that {user} will interact with next.',
];

export const RANKING_FRAMES = [
  'Rank these candidates for {user}, best first: {candidates}. Answer with the titles separated by semicolons.',
  'Given {user}, order the following items from most to least likely to be chosen: {candidates}.',
  'Sort the candidates {candidates} by how much {user} would like them.',
  'Here are five items: {candidates}. Rank them for {user}, most relevant first.',
  'For {user}, rank the items {candidates} from best to worst.',
  'Which order would the recommender put these items in for {user}? Items: {candidates}.',
  'Order by preference for {user}: {candidates}.',
  'Please rank {candidates} for {user}. List the titles, best first, separated by semicolons.',
];

export const INTEREST_FRAMES = [
  'Would {user} enjoy {item}? Answer Yes or No.',
  'Is {item} a good recommendation for {user}? Yes or No.',
  'Given {user}, will they be interested in {item}? Reply Yes or No.',
  'Does {item} match the interests of {user}? Answer Yes or No.',
  'Should we recommend {item} to {user}? Yes or No.',
  'Predict whether {user} likes {item}. Answer Yes or No.',
  'Consider {user}. Is {item} likely to interest them? Yes or No.',
  'Would the recommender rank {item} highly for {user}? Answer Yes or No.',
];

export const DISCRIMINATION_FRAMES: Record<DiscriminationVariant, string[]> = {
  title: [
    'What is the title of {item}?',
    'Name {item}.',
    'Which item is {item}? Give its title.',
    'Tell me the title of {item}.',
    'Here is {item}. What is it called?',
    'Identify {item} by its title.',
    'What do we call {item}?',
    'Give the title of {item}.',
  ],
  attributes: [
    'What are the attributes of {item}?',
    'Describe the attributes of {item}.',
    'List the attributes of {item}.',
    'Which categories and properties does {item} have?',
    'Tell me about {item}: what are its attributes?',
    'Give the attributes of {item}.',
    'What kind of item is {item}? List its attributes.',
    'Summarize the properties of {item}.',
  ],
  similar: [
    'Which item is most similar to {item}?',
    'Name the item closest to {item}.',
    'What item does the recommender consider most like {item}?',
    'Find the item most similar to {item}. Give its title.',
    'Which other item resembles {item} the most?',
    'Give the title of the nearest neighbour of {item}.',
    'If someone likes {item}, which similar item would you point them to?',
    'What is the most similar item to {item}?',
  ],
  reverse: [
    'Which item has these attributes: {attributes}?',
    'Name an item with the following properties: {attributes}.',
    'Find the item described by {attributes}.',
    'What is the title of the item with {attributes}?',
    'Attributes: {attributes}. Which item is it?',
    'Give the title of the item whose attributes are {attributes}.',
    'Identify the item: {attributes}.',
    'Which title matches {attributes}?',
  ],
};

export const REPLAY_FRAMES = [
  'Continue the text: {text}',
  'Complete this sentence: {text}',
  'Finish the following: {text}',
  'Write the rest of this text: {text}',
  'How does this continue? {text}',
  'Please complete: {text}',
  'Carry on from here: {text}',
  'Continue writing: {text}',
];

export const HISTORY_FRAMES = [
  'What items has {user} interacted with? List the titles, oldest first, separated by semicolons.',
  'Reconstruct the history of {user}.',
  'List the recent items of {user}.',
  'Which items did {user} engage with recently?',
  'Recall the interaction history of {user}.',
  'Name the items in the history of {user}, oldest first.',
  'What has {user} consumed recently? Give the titles.',
  'Describe the history of {user} as a list of titles.',
];

export const RATIONALE_FRAMES = [
  'Why would the recommender suggest {item} to {user}?',
  'Explain why {item} is recommended to {user}.',
  'Give the reason {user} is recommended {item}.',
  'What in the history of {user} leads to recommending {item}?',
  'Justify recommending {item} to {user}.',
  'Which past items make {item} a good pick for {user}?',
  'The recommender picked {item} for {user}. Why?',
  'Explain the recommendation of {item} for {user}.',
];

/** Task 7 answers: {item} the explained title, {cited} "A and B", {shared} ", which share its … theme" or "". */
export const RATIONALE_ANSWERS = [
  'I recommend {item} because you enjoyed {cited}{shared}.',
  'You enjoyed {cited}{shared}, so I recommend {item}.',
  '{item} is recommended because you liked {cited}{shared}.',
  'Because you enjoyed {cited}{shared}, {item} is a good next pick.',
];
/** When no history item raises the score, nothing is cited. */
export const RATIONALE_UNCITED_ANSWER = 'I recommend {item} because it fits the overall pattern of your history.';

/** Noun phrases for {user}: {history} = the titles, {u} = `<user>`. */
const USER_PHRASES: Record<Method, string[]> = {
  B: [
    'the user who interacted with {history}',
    'a user whose history is {history}',
    'the user who recently enjoyed {history}',
  ],
  I: ['the user {u}', 'user {u}', 'the user represented by {u}'],
  H: [
    'the user {u} who interacted with {history}',
    'the user {u} with history {history}',
    'user {u}, who recently enjoyed {history}',
  ],
};

/** Noun phrases for {item}: {title}, {i} = `<item>`. */
const ITEM_PHRASES: Record<Method, string[]> = {
  B: ['the item {title}', '{title}'],
  I: ['the item {i}', '{i}'],
  H: ['the item {i} {title}', '{i} {title}'],
};

const SLOT = /\{(\w+)\}/g;

/** A frame with its slots filled: text between slots becomes text segments (adjacent ones merged). */
export function renderFrame(frame: string, slots: Record<string, readonly Segment[]>): Segment[] {
  const out: Segment[] = [];
  const pushText = (text: string) => {
    if (text === '') return;
    const last = out.at(-1);
    if (last?.kind === 'text') last.text += text;
    else out.push({ kind: 'text', text });
  };
  let at = 0;
  for (const m of frame.matchAll(SLOT)) {
    pushText(frame.slice(at, m.index));
    const fill = slots[m[1]];
    if (fill === undefined) throw new Error(`template slot {${m[1]}} has no value in "${frame}"`);
    for (const s of fill) {
      if (s.kind === 'text') pushText(s.text);
      else out.push(s.kind === 'history' ? { kind: 'history', titles: [...s.titles] } : { ...s });
    }
    at = m.index + m[0].length;
  }
  pushText(frame.slice(at));
  return out;
}

const text = (t: string): Segment[] => [{ kind: 'text', text: t }];
const pick = <T>(list: readonly T[], rng: Rng): T => list[rng.int(list.length)];

/**
 * {user} for `method`. `placeholderOnly` drops the titles (H on tasks whose answer they would give away).
 * `ref` = the anchor row.
 */
export function userPhrase(
  method: Method,
  ref: number,
  historyTitles: readonly string[],
  rng: Rng,
  placeholderOnly = false,
): Segment[] {
  const phrases = USER_PHRASES[placeholderOnly ? 'I' : method];
  return renderFrame(pick(phrases, rng), {
    history: [{ kind: 'history', titles: [...historyTitles] }],
    u: [{ kind: 'user', ref }],
  });
}

/** {item} for `method`; `placeholderOnly` as in userPhrase. */
export function itemPhrase(method: Method, item: number, title: string, rng: Rng, placeholderOnly = false): Segment[] {
  const phrases = ITEM_PHRASES[placeholderOnly ? 'I' : method];
  return renderFrame(pick(phrases, rng), { title: text(title), i: [{ kind: 'item', ref: item }] });
}

/** {candidates}: "A; B; …" (B), "<item>; <item>; …" (I), "<item> A; <item> B; …" (H). */
export function candidateList(method: Method, items: readonly number[], titles: readonly string[]): Segment[] {
  const out: Segment[] = [];
  items.forEach((item, k) => {
    if (k > 0) out.push({ kind: 'text', text: HISTORY_SEPARATOR });
    if (method !== 'B') out.push({ kind: 'item', ref: item });
    if (method === 'H') out.push({ kind: 'text', text: ' ' });
    if (method !== 'I') out.push({ kind: 'text', text: titles[k] });
  });
  return renderFrame('{c}', { c: out }); // merges the text pieces
}

/** Keys shown first, in this order; the rest follow alphabetically. */
const ATTRIBUTE_ORDER = ['genres', 'category', 'categories', 'brand', 'year'];

/** "genres: Sci-Fi, Drama; brand: Acme; year: 1999" — one fixed form per item (task 4's answer). */
export function attributeText(attributes: ItemRecord['attributes']): string {
  const keys = Object.keys(attributes).sort((a, b) => {
    const ia = ATTRIBUTE_ORDER.indexOf(a);
    const ib = ATTRIBUTE_ORDER.indexOf(b);
    if (ia >= 0 || ib >= 0) return (ia < 0 ? Infinity : ia) - (ib < 0 ? Infinity : ib);
    return a < b ? -1 : a > b ? 1 : 0;
  });
  const parts: string[] = [];
  for (const k of keys) {
    const v = attributes[k];
    const value = Array.isArray(v) ? v.join(', ') : String(v);
    if (value !== '') parts.push(`${k}: ${value}`);
  }
  return parts.join('; ');
}

/** Fills an answer template ({name} → values[name]). */
export function fillAnswer(template: string, values: Record<string, string>): string {
  return template.replace(SLOT, (_, name: string) => {
    const v = values[name];
    if (v === undefined) throw new Error(`answer slot {${name}} has no value in "${template}"`);
    return v;
  });
}
