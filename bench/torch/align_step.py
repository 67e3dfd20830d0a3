"""PyTorch reference for bench/align-step: the same alignment step with Hugging Face transformers + PEFT,
as the paper's code would run it. The tiny Llama (tied head) with LoRA on all seven projections, the two
projectors Linear(d_rec, h/2) GELU Linear(h/2, h) whose outputs are added to the token embeddings at the
slot positions, the embedding table trained (and with it the tied head), cross-entropy on the answer
tokens with every example weighing the same, gradient clipping at 1 and AdamW. Prints one JSON line.

Usage: python bench/torch/align_step.py THREADS STEPS CONFIG_JSON  (run with OMP_WAIT_POLICY=PASSIVE)
Measured with torch 2.13.0+cpu, transformers and peft from .ref-venv (versions printed).
"""
import json
import sys
import time

import peft
import torch
import transformers
from peft import LoraConfig, get_peft_model
from transformers import LlamaConfig, LlamaForCausalLM


def main():
    threads, steps, cfg = int(sys.argv[1]), int(sys.argv[2]), json.loads(sys.argv[3])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    h, V = cfg["hidden"], cfg["vocabSize"]
    model = LlamaForCausalLM(LlamaConfig(
        vocab_size=V, hidden_size=h, intermediate_size=cfg["intermediate"], num_hidden_layers=cfg["layers"],
        num_attention_heads=cfg["heads"], num_key_value_heads=cfg["kvHeads"], max_position_embeddings=cfg["maxPositions"],
        rms_norm_eps=cfg["rmsEps"], rope_theta=cfg["ropeTheta"], tie_word_embeddings=True,
    ))
    targets = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
    r = cfg["loraRank"]
    model = get_peft_model(model, LoraConfig(r=r, lora_alpha=2 * r, target_modules=targets, lora_dropout=0.0))
    emb = model.get_input_embeddings()
    emb.weight.requires_grad_(True)
    d_rec = cfg["dRec"]
    proj = torch.nn.ModuleDict({k: torch.nn.Sequential(torch.nn.Linear(d_rec, h // 2), torch.nn.GELU(),
                                                       torch.nn.Linear(h // 2, h)) for k in ["user", "item"]})
    users, items = torch.randn(cfg["users"], d_rec) * 0.3, torch.randn(cfg["items"] + 1, d_rec) * 0.3
    lora_params = [p for n, p in model.named_parameters() if p.requires_grad and "lora_" in n]
    opt = torch.optim.AdamW([
        {"params": lora_params, "weight_decay": 0.01},
        {"params": list(proj.parameters()), "weight_decay": 0.0},
        {"params": [emb.weight], "weight_decay": 0.0},
    ], lr=1e-3)
    B, T, A, n_items = cfg["batch"], cfg["seq"], cfg["answer"], cfg["itemSlots"]
    ids = torch.randint(4, V, (B, T))
    labels = torch.full((B, T), -100)
    labels[:, T - A:] = ids[:, T - A:]
    user_pos, item_pos = 4, torch.tensor([20 + 10 * k for k in range(n_items)])
    user_ref, item_ref = torch.randint(0, cfg["users"], (B,)), torch.randint(1, cfg["items"] + 1, (B, n_items))
    weights = torch.zeros(B, T - 1)
    weights[:, T - A - 1:] = 1.0 / (B * A)
    params = lora_params + list(proj.parameters()) + [emb.weight]

    def step():
        opt.zero_grad(set_to_none=True)
        x = emb(ids)
        add = torch.zeros_like(x)
        add[:, user_pos] = proj["user"](users[user_ref])
        add[:, item_pos] = proj["item"](items[item_ref])
        logits = model(inputs_embeds=x + add).logits[:, :-1]
        nll = torch.nn.functional.cross_entropy(logits.reshape(-1, V), labels[:, 1:].reshape(-1), reduction="none",
                                                ignore_index=-100)
        loss = (nll * weights.reshape(-1)).sum()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        return loss.item()

    for _ in range(3):
        step()
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    ms = (time.perf_counter() - t0) / steps * 1000
    print(json.dumps({"torch": torch.__version__, "transformers": transformers.__version__, "peft": peft.__version__,
                      "threads": threads, "step_ms": ms}))


if __name__ == "__main__":
    main()
