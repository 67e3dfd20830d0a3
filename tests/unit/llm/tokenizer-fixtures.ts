/** Paths and the transformers reference made by tests/fixtures/llm/tokenizers/make_bpe_fixture.py. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ChatMessage } from '../../../electron/engine/llm/chat-template.ts';

export const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/llm/tokenizers');

/** One text as transformers encodes and decodes it. */
export interface TokenizerCase {
  text: string;
  ids: number[];
  idsNoSpecial: number[];
  decoded: string;
  decodedSkipSpecial: string;
}

export interface Expected {
  bpe: {
    vocabSize: number;
    bosTokenId: number;
    eosTokenId: number;
    encodings: TokenizerCase[];
    chat: {
      messages: ChatMessage[];
      llama3: string;
      llama3Generation: string;
      qwen2Template: string;
      qwen2: string;
      qwen2Generation: string;
    };
  };
  bpeAdded: { ids: number[]; vocabSize: number; encodings: TokenizerCase[] };
  wordlevel: { unkTokenId: number; encodings: TokenizerCase[] };
}

export async function readExpected(): Promise<Expected> {
  return JSON.parse(await readFile(path.join(FIXTURES, 'expected.json'), 'utf8')) as Expected;
}

/** Real-looking catalogue titles (MovieLens, Amazon) with the punctuation and accents they carry. */
export const TITLES = [
  'Toy Story (1995)',
  'Toy Story 2 (1999)',
  "Schindler's List (1993)",
  'Star Wars: Episode IV - A New Hope (1977)',
  "Amélie (Fabuleux destin d'Amélie Poulain, Le) (2001)",
  'Léon: The Professional (a.k.a. The Professional) (Léon) (1994)',
  'Crouching Tiger, Hidden Dragon (Wo hu cang long) (2000)',
  "Harry Potter and the Sorcerer's Stone (a.k.a. Harry Potter and the Philosopher's Stone) (2001)",
  'Spider-Man 2 (2004)',
  'WALL·E (2008)',
  'The Lord of the Rings: The Fellowship of the Ring (2001)',
  'Dr. Strangelove or: How I Learned to Stop Worrying and Love the Bomb (1964)',
  'Se7en (a.k.a. Seven) (1995)',
  '¡Three Amigos! (1986)',
  '8½ (8 1/2) (1963)',
  'M*A*S*H (1970)',
  'Apple AirPods Pro (2nd Generation) - White',
  'USB-C Cable, 6ft [2-Pack] $9.99 & "Fast" 100% #1',
];

/** A small project corpus: each title in a few template sentences, plus history lines. */
export const TINY_CORPUS = [
  ...TITLES.flatMap((t) => [`Title: ${t}.`, `The item is called ${t}.`]),
  `The user has watched: ${TITLES.slice(0, 9).join('; ')}.`,
  'Which movie will the user watch next? Answer: Toy Story (1995)',
  'Is the user likely to enjoy this movie? Answer Yes or No.',
];
