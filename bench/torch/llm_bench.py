"""PyTorch reference for bench/llm: transformers' LlamaForCausalLM (the tiny LM's shape) or
Qwen2ForCausalLM (Qwen2.5-0.5B's shape), built from a config with random init, float32, default
(sdpa) attention. One measurement per process, so peak RSS is its own:

  generate: greedy model.generate(do_sample=False, use_cache=True) of NEW tokens after a PROMPT-token
            prompt, batch 1, EOS disabled so every run makes exactly NEW tokens; one warm-up, REPS timed.
  lora:     PEFT LoRA (r 8, alpha 8, no dropout, q_proj/v_proj) on the frozen model; one step =
            forward with labels (HF's shifted causal-LM loss) + backward + clip 1.0 + AdamW (no weight
            decay, as HF TrainingArguments); BATCH × SEQ random ids; one warm-up, STEPS timed.

Times are medians of the timed calls (as bench/llm.ts times ours). Prints one JSON line.

Usage: python bench/torch/llm_bench.py MODEL KIND THREADS A B C  (run with OMP_WAIT_POLICY=PASSIVE)
  MODEL tiny | qwen05b; KIND generate (A=PROMPT B=NEW C=REPS) | lora (A=BATCH B=SEQ C=STEPS)
"""
import json
import resource
import statistics
import sys
import time

import peft
import torch
import transformers
from transformers import LlamaConfig, LlamaForCausalLM, Qwen2Config, Qwen2ForCausalLM


def build(name, max_positions):
    if name == "tiny":
        cfg = LlamaConfig(
            vocab_size=1300, hidden_size=128, intermediate_size=344, num_hidden_layers=4,
            num_attention_heads=4, num_key_value_heads=2, rms_norm_eps=1e-6,
            max_position_embeddings=max_positions, tie_word_embeddings=True,
            rope_parameters={"rope_type": "default", "rope_theta": 10000.0},
        )
        return LlamaForCausalLM(cfg)
    cfg = Qwen2Config(
        vocab_size=151936, hidden_size=896, intermediate_size=4864, num_hidden_layers=24,
        num_attention_heads=14, num_key_value_heads=2, rms_norm_eps=1e-6,
        max_position_embeddings=max_positions, tie_word_embeddings=True,
        rope_parameters={"rope_type": "default", "rope_theta": 1000000.0},
    )
    return Qwen2ForCausalLM(cfg)


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def median_seconds(n, call):
    """Median of n timed calls, as bench/llm.ts times ours."""
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        call()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def generate(model, vocab, prompt_len, new_tokens, reps):
    model.eval()
    model.generation_config.eos_token_id = None
    model.generation_config.pad_token_id = 0
    ids = torch.randint(0, vocab, (1, prompt_len))
    mask = torch.ones_like(ids)

    def run():
        out = model.generate(ids, attention_mask=mask, do_sample=False, max_new_tokens=new_tokens, use_cache=True)
        assert out.shape[1] == prompt_len + new_tokens, out.shape
        return out

    with torch.no_grad():
        run()
        seconds = median_seconds(reps, run)
    return {"generate_s": seconds, "tokens_per_s": new_tokens / seconds}


def lora_step(model, vocab, batch, seq, steps):
    lora = peft.LoraConfig(r=8, lora_alpha=8, lora_dropout=0.0, target_modules=["q_proj", "v_proj"])
    model = peft.get_peft_model(model, lora)
    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=1e-4, weight_decay=0.0)
    ids = torch.randint(0, vocab, (batch, seq))

    def step():
        opt.zero_grad(set_to_none=True)
        loss = model(input_ids=ids, labels=ids).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        step.last = loss.item()

    step()
    return {
        "step_s": median_seconds(steps, step),
        "last_loss": step.last,
        "trainable_params": sum(p.numel() for p in params),
    }


def main():
    name, kind, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
    a, b, c = (int(x) for x in sys.argv[4:7])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    t0 = time.perf_counter()
    model = build(name, a + b if kind == "generate" else b)
    build_s = time.perf_counter() - t0
    vocab = model.config.vocab_size
    figures = generate(model, vocab, a, b, c) if kind == "generate" else lora_step(model, vocab, a, b, c)
    print(json.dumps({
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "peft": peft.__version__,
        "model": name,
        "kind": kind,
        "threads": threads,
        "build_s": build_s,
        "peak_rss_mb": peak_rss_mb(),
        **figures,
    }))


if __name__ == "__main__":
    main()
