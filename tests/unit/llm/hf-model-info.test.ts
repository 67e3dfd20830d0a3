/** llmInfo: model facts from config.json, weight headers and tokenizer files; the LoRA memory estimate. */
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { estimateLoraTrainingMemory, llmInfo } from '../../../electron/engine/llm/model-info.ts';
import { llamaConfigFromHf } from '../../../electron/engine/models/llama.ts';
import { fixtureDir } from './llm-fixtures.ts';

describe('llmInfo', () => {
  it('describes the F32 and sharded BF16 fixtures', async () => {
    const info = await llmInfo(fixtureDir('tiny-llama-f32'), { batch: 2, seq: 16 });
    expect(info).toMatchObject({
      architecture: 'LlamaForCausalLM',
      modelType: 'llama',
      parameters: 24736, // transformers' count (model.safetensors.index.json of the bf16 save)
      dtype: 'F32',
      vocab: 96,
      layers: 2,
      hidden: 32,
      heads: 4,
      kvHeads: 2,
      headDim: 8,
      tieEmbeddings: false,
      bosTokenId: 1,
      eosTokenIds: [2],
      specialTokens: [],
    });
    expect(info.memory.weightsBytes).toBe(4 * 24736);
    expect((await llmInfo(fixtureDir('tiny-llama-bf16'))).dtype).toBe('BF16');
    const qwen = await llmInfo(fixtureDir('tiny-qwen2'));
    expect([qwen.architecture, qwen.tieEmbeddings]).toEqual(['Qwen2ForCausalLM', true]);
  });

  it('lists added tokens from tokenizer.json and tokenizer_config.json', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'recx-info-'));
    try {
      await cp(fixtureDir('tiny-qwen2'), dir, { recursive: true });
      await writeFile(
        path.join(dir, 'tokenizer.json'),
        JSON.stringify({
          added_tokens: [
            { id: 0, content: '<pad>', special: true },
            { id: 94, content: '<user>', special: true },
          ],
        }),
      );
      await writeFile(
        path.join(dir, 'tokenizer_config.json'),
        JSON.stringify({
          added_tokens_decoder: { '95': { content: '<item>', special: false } },
          eos_token: { content: '</s>' },
          pad_token: '<pad>',
        }),
      );
      const info = await llmInfo(dir);
      expect(info.specialTokens).toEqual([
        { id: 0, content: '<pad>', special: true },
        { id: 94, content: '<user>', special: true },
        { id: 95, content: '<item>', special: false },
      ]);
      expect(info.specialTokenNames).toEqual({ eos: '</s>', pad: '<pad>' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('estimates LoRA training memory by the documented formula', () => {
    // A Llama-3.2-1B-shaped config: 16 layers, C 2048, 32 heads, 8 kv heads, F 8192, V 128256, tied.
    const { config } = llamaConfigFromHf(
      {
        model_type: 'llama',
        vocab_size: 128256,
        hidden_size: 2048,
        intermediate_size: 8192,
        num_hidden_layers: 16,
        num_attention_heads: 32,
        num_key_value_heads: 8,
        max_position_embeddings: 131072,
        tie_word_embeddings: true,
      },
      'config.json',
    );
    const m = estimateLoraTrainingMemory(config, {
      batch: 4,
      seq: 512,
      loraRank: 8,
      loraModules: ['q_proj', 'v_proj'],
    });
    expect(m.weightsBytes).toBe(4 * 1_235_814_400); // Llama-3.2-1B's parameter count
    expect(m.loraBytes).toBe(16 * 16 * 8 * (2048 + 2048 + (512 + 2048)));
    const perLayer = 4 * 512 * (7 * 2048 + 5 * 2048 + 3 * 512 + 4 * 8192) + 2 * 4 * 32 * 512 * 512;
    expect(m.activationBytes).toBe(4 * (16 * perLayer + 4 * 512 * (2 * 2048 + 2 * 128256)));
    expect(m.totalBytes).toBe(m.weightsBytes + m.loraBytes + m.activationBytes);
  });
});
