/**
 * The Llama runtime against transformers (fixtures: tests/fixtures/gen_llm_fixtures.py): logits,
 * greedy continuations, KV-cache decode vs full forward, left padding, added embeddings, beam-style
 * row reordering; the graph builder's inputs_embeds path.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Graph } from '../../../electron/engine/graph/graph.ts';
import { GraphSession } from '../../../electron/engine/graph/session.ts';
import { generate } from '../../../electron/engine/llm/generate.ts';
import { loadHfModelDir } from '../../../electron/engine/llm/hf-model-dir.ts';
import { LlamaRuntime } from '../../../electron/engine/llm/llama-runtime.ts';
import { buildLlamaLogits } from '../../../electron/engine/models/llama.ts';
import { argmax, type FixtureName, fixtureDir, llmReference, maxAbsDiff, rowOf } from './llm-fixtures.ts';

const REF = llmReference();
const V = REF.vocab;
const PROMPT = REF.prompt;
// externalThreshold 1 KiB: the embedding and MLP weights go through the external-data file.
const OPTS = { session: { providers: ['cpu' as const], threads: 1, externalThreshold: 1024 } };

/** Greedy decoding over the runtime: prefill, then argmax → decode, `n` tokens. */
async function greedy(
  rt: LlamaRuntime,
  prompt: number[],
  n: number,
): Promise<{ tokens: number[]; logits: Float32Array[] }> {
  let { logits, cache } = await rt.prefill([prompt]);
  const tokens: number[] = [];
  const all = [logits];
  for (let k = 0; k < n; k++) {
    tokens.push(argmax(logits));
    if (k === n - 1) break;
    ({ logits, cache } = await rt.decode(cache, [tokens[k]]));
    all.push(logits);
  }
  return { tokens, logits: all };
}

const runtimes = new Map<FixtureName, LlamaRuntime>();
beforeAll(async () => {
  for (const name of ['tiny-llama-f32', 'tiny-llama-bf16', 'tiny-qwen2'] as const)
    runtimes.set(name, await LlamaRuntime.fromDir(fixtureDir(name), OPTS));
});
afterAll(async () => {
  for (const rt of runtimes.values()) await rt.release();
});

describe('llama runtime vs transformers', () => {
  it.each([
    ['tiny-llama-f32', 1e-4],
    ['tiny-qwen2', 1e-4],
    // HF in float32 on the bf16-rounded weights: the same computation as ours.
    ['tiny-llama-bf16', 1e-4],
  ] as const)('%s: logits at every prompt position within %s', async (name, tol) => {
    const rt = runtimes.get(name)!;
    const ref = REF.cases[name].logits;
    // All prefixes of the prompt in one left-padded batch: row k = logits after k + 1 tokens.
    const prefixes = PROMPT.map((_, k) => PROMPT.slice(0, k + 1));
    const batch = await rt.scoreNextToken(prefixes);
    const single = await rt.scoreNextToken([PROMPT]);
    const err = maxAbsDiff(batch, ref);
    expect(err).toBeLessThan(tol);
    expect(maxAbsDiff(single, rowOf(ref, PROMPT.length - 1, V))).toBeLessThan(tol);
    if (name === 'tiny-llama-bf16') {
      // transformers computing in bfloat16 itself rounds activations: a much looser match.
      const bf16 = REF.cases[name].logits_bf16_compute!;
      expect(maxAbsDiff(batch, bf16)).toBeLessThan(0.25);
    }
  });

  it.each(['tiny-llama-f32', 'tiny-qwen2', 'tiny-llama-bf16'] as const)(
    '%s: greedy 20 tokens equal generate(do_sample=False)',
    async (name) => {
      const { tokens } = await greedy(runtimes.get(name)!, PROMPT, 20);
      expect(tokens).toEqual(REF.cases[name].greedy);
    },
  );

  it.each(['tiny-llama-f32', 'tiny-qwen2'] as const)('%s: added embeddings match HF inputs_embeds', async (name) => {
    const rt = runtimes.get(name)!;
    const { position, vector, logits: ref } = REF.cases[name].add_embeds!;
    const c = vector.length;
    const addFor = (len: number) => {
      const e = new Float32Array(len * c);
      if (position < len) e.set(vector, position * c);
      return e;
    };
    const prefixes = PROMPT.map((_, k) => PROMPT.slice(0, k + 1));
    const added = await rt.scoreNextToken(prefixes, { addEmbeddings: prefixes.map((p) => addFor(p.length)) });
    const plain = await rt.scoreNextToken(prefixes);
    expect(maxAbsDiff(added, ref)).toBeLessThan(1e-4);
    // Positions before the target are untouched (causal); the target and later ones change.
    for (let k = 0; k < PROMPT.length; k++) {
      const diff = maxAbsDiff(rowOf(added, k, V), rowOf(plain, k, V));
      if (k < position) expect(diff).toBe(0);
      else expect(diff).toBeGreaterThan(1e-3);
    }
    // null entries add nothing.
    const mixed = await rt.scoreNextToken([PROMPT, PROMPT], { addEmbeddings: [null, addFor(PROMPT.length)] });
    expect(maxAbsDiff(rowOf(mixed, 0, V), rowOf(plain, PROMPT.length - 1, V))).toBeLessThan(1e-5);
    expect(maxAbsDiff(rowOf(mixed, 1, V), rowOf(ref, PROMPT.length - 1, V))).toBeLessThan(1e-4);
  });
});

describe('llama runtime KV cache', () => {
  it('decode logits equal a full forward of the whole prefix at every step', async () => {
    const rt = runtimes.get('tiny-llama-f32')!;
    const { tokens, logits } = await greedy(rt, PROMPT, 12);
    let worst = 0;
    for (let k = 1; k < logits.length; k++) {
      const full = await rt.scoreNextToken([[...PROMPT, ...tokens.slice(0, k)]]);
      worst = Math.max(worst, maxAbsDiff(logits[k], full));
    }
    expect(worst).toBeLessThan(1e-5);
  });

  it('a left-padded batch equals each prompt alone, through prefill and decode', async () => {
    const rt = runtimes.get('tiny-qwen2')!;
    const prompts = [PROMPT, PROMPT.slice(0, 3), [7, 70, 11, 12, 5]];
    const batch = await rt.prefill(prompts);
    const next = prompts.map((_, r) => argmax(batch.logits, r, V));
    const step = await rt.decode(batch.cache, next);
    expect(step.cache.length).toBe(PROMPT.length + 1);
    for (const [r, p] of prompts.entries()) {
      const alone = await rt.prefill([p]);
      expect(maxAbsDiff(rowOf(batch.logits, r, V), alone.logits)).toBeLessThan(1e-5);
      const aloneStep = await rt.decode(alone.cache, [next[r]]);
      expect(maxAbsDiff(rowOf(step.logits, r, V), aloneStep.logits)).toBeLessThan(1e-5);
    }
  });

  it('sourceRows reorders and duplicates cache rows (beam search)', async () => {
    const rt = runtimes.get('tiny-llama-f32')!;
    const prompts = [PROMPT.slice(0, 5), [3, 4, 5]];
    const { cache } = await rt.prefill(prompts);
    const reordered = await rt.decode(cache, [10, 20, 30], [1, 0, 1]);
    expect(reordered.cache.rows).toBe(3);
    const expected = [
      [prompts[1], 10],
      [prompts[0], 20],
      [prompts[1], 30],
    ] as const;
    for (const [k, [p, tok]] of expected.entries()) {
      const alone = await rt.scoreNextToken([[...p, tok]]);
      expect(maxAbsDiff(rowOf(reordered.logits, k, V), alone)).toBeLessThan(1e-5);
    }
    // The old cache is unchanged and still usable.
    const again = await rt.decode(cache, [20, 10]);
    expect(maxAbsDiff(rowOf(again.logits, 0, V), rowOf(reordered.logits, 1, V))).toBeLessThan(1e-6);
  });

  it('refuses foreign caches, bad tokens and sequences past maxLength', async () => {
    const rt = runtimes.get('tiny-llama-f32')!;
    const other = runtimes.get('tiny-qwen2')!;
    const { cache } = await other.prefill([[1, 2]]);
    await expect(rt.decode(cache, [1])).rejects.toThrow(/not made by this runtime/);
    await expect(rt.prefill([[1, V]])).rejects.toThrow(/outside the vocabulary/);
    await expect(rt.prefill([[]])).rejects.toThrow(/empty/);
    await expect(rt.prefill([PROMPT], { addEmbeddings: [new Float32Array(3)] })).rejects.toThrow(/addEmbeddings/);
    expect(rt.eosTokenIds).toEqual([2]);
    const short = await LlamaRuntime.fromDir(fixtureDir('tiny-llama-f32'), {
      ...OPTS,
      maxLength: 4,
      bannedTokenIds: [5],
    });
    expect(short.bannedTokenIds).toEqual([5]);
    const { cache: c4 } = await short.prefill([[1, 2, 3, 4]]);
    await expect(short.decode(c4, [5])).rejects.toThrow(/maxLength 4/);
    await short.release();
  });

  it('in a batch, each row generates up to maxLength from its own prompt, as it would alone', async () => {
    const short = await LlamaRuntime.fromDir(fixtureDir('tiny-llama-f32'), { ...OPTS, maxLength: 6 });
    try {
      const prompts = [PROMPT.slice(0, 1), PROMPT.slice(0, 5)];
      const opts = { maxNewTokens: 10, eosTokenIds: [] };
      const batch = await generate(short, prompts, opts);
      // Row 0 runs past the left-padded cache length the long prompt set (5 + 4 > 6 columns).
      expect(batch.map(([s]) => s.tokens.length)).toEqual([5, 1]);
      expect(batch.every(([s]) => s.finishReason === 'length')).toBe(true);
      for (const [k, p] of prompts.entries()) {
        const [alone] = await generate(short, p, opts);
        expect(batch[k][0].tokens).toEqual(alone.tokens);
        expect(batch[k][0].logProb).toBeCloseTo(alone.logProb, 4);
      }
      const [full] = await generate(short, [...PROMPT, ...PROMPT].slice(0, 6), opts);
      expect(full).toMatchObject({ tokens: [], finishReason: 'length' });
      await expect(generate(short, [...PROMPT, ...PROMPT].slice(0, 7), opts)).rejects.toThrow(/maxLength 6/);
    } finally {
      await short.release();
    }
  });
});

describe('buildLlamaLogits with inputs_embeds', () => {
  it('float [B, T, C] input replaces the lookup: embeddings + vector match HF inputs_embeds', async () => {
    const model = await loadHfModelDir(fixtureDir('tiny-llama-f32'));
    const cfg = model.config;
    const g = new Graph('llama_embeds');
    const params = Object.fromEntries([...model.weights].map(([k, t]) => [k, g.initializer(k, t)]));
    const embeds = g.input('inputs_embeds', 'float32', ['B', 'T', cfg.hidden]);
    g.output(buildLlamaLogits(cfg, params, embeds), 'logits');
    const session = await GraphSession.create(g, OPTS.session);
    const table = model.weights.get('model.embed_tokens.weight')!.data as Float32Array;
    const { position, vector, logits: ref } = REF.cases['tiny-llama-f32'].add_embeds!;
    const c = cfg.hidden;
    const x = new Float32Array(PROMPT.length * c);
    for (const [t, tok] of PROMPT.entries()) x.set(table.subarray(tok * c, (tok + 1) * c), t * c);
    for (let k = 0; k < c; k++) x[position * c + k] += vector[k];
    const out = await session.run({ inputs_embeds: { dtype: 'float32', dims: [1, PROMPT.length, c], data: x } });
    expect(maxAbsDiff(out.logits.data as Float32Array, ref)).toBeLessThan(1e-4);
    await session.release();
  });
});
