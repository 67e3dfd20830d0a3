"""PyTorch reference for bench/train-step: the same tiny Llama-style LM written plainly
(RMSNorm, RoPE rotate-half, causal attention via scaled_dot_product_attention, SwiGLU, untied head),
AdamW step timing and 512-token forward throughput. Prints one JSON line.

Usage: python bench/torch/train_step.py THREADS STEPS  (run with OMP_WAIT_POLICY=PASSIVE)
"""
import json
import math
import sys
import time

import torch
import torch.nn.functional as F

V, D, H, L, FF, B, T = 512, 128, 4, 2, 344, 8, 64


class RMSNorm(torch.nn.Module):
    def __init__(self, d, eps=1e-6):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rope(x, cos, sin):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2 :]
    return x * cos + torch.cat((-x2, x1), -1) * sin


class Block(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.n1, self.n2 = RMSNorm(D), RMSNorm(D)
        self.q, self.k, self.v, self.o = (torch.nn.Linear(D, D, bias=False) for _ in range(4))
        self.gate, self.up = torch.nn.Linear(D, FF, bias=False), torch.nn.Linear(D, FF, bias=False)
        self.down = torch.nn.Linear(FF, D, bias=False)

    def forward(self, x, cos, sin):
        b, t, _ = x.shape
        h = self.n1(x)
        q, k, v = (p(h).view(b, t, H, D // H).transpose(1, 2) for p in (self.q, self.k, self.v))
        a = F.scaled_dot_product_attention(rope(q, cos, sin), rope(k, cos, sin), v, is_causal=True)
        x = x + self.o(a.transpose(1, 2).reshape(b, t, D))
        h = self.n2(x)
        return x + self.down(F.silu(self.gate(h)) * self.up(h))


class TinyLlama(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = torch.nn.Embedding(V, D)
        self.blocks = torch.nn.ModuleList(Block() for _ in range(L))
        self.norm = RMSNorm(D)
        self.head = torch.nn.Linear(D, V, bias=False)
        inv = 10000.0 ** (-torch.arange(0, D // H, 2).float() / (D // H))
        ang = torch.arange(1024).float()[:, None] * inv[None, :]
        ang = torch.cat((ang, ang), -1)
        self.register_buffer("cos", ang.cos(), persistent=False)
        self.register_buffer("sin", ang.sin(), persistent=False)

    def forward(self, ids):
        t = ids.shape[1]
        x = self.emb(ids)
        cos, sin = self.cos[:t], self.sin[:t]
        for blk in self.blocks:
            x = blk(x, cos, sin)
        return self.head(self.norm(x))


def main():
    threads, steps = int(sys.argv[1]), int(sys.argv[2])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = TinyLlama()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
    ids = torch.randint(0, V, (B, T + 1))
    x, y = ids[:, :-1], ids[:, 1:]

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x).reshape(-1, V), y.reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return loss.item()

    for _ in range(5):
        step()
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    train_ms = (time.perf_counter() - t0) / steps * 1000

    model.eval()
    long_ids = torch.randint(0, V, (1, 512))
    with torch.no_grad():
        for _ in range(3):
            model(long_ids)
        reps = 20
        t0 = time.perf_counter()
        for _ in range(reps):
            model(long_ids)
        infer_s = (time.perf_counter() - t0) / reps
    print(json.dumps({
        "torch": torch.__version__,
        "threads": threads,
        "train_step_ms": train_ms,
        "train_tokens_per_s": B * T / (train_ms / 1000),
        "infer_512_ms": infer_s * 1000,
        "infer_tokens_per_s": 512 / infer_s,
    }))


if __name__ == "__main__":
    main()
