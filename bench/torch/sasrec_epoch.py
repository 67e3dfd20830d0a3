"""PyTorch reference for bench/sasrec-epoch: SASRec (sasrec-original settings: d 64, 2 blocks, 1 head,
pre-LN, dropout 0.2, BCE with one negative per position, AdamW lr 1e-3 without weight decay, no
clipping) written plainly with the semantics of our graph (electron/engine/models/sasrec.ts, as in
tests/fixtures/gen_graph_fixtures.py): x = E[seq]*sqrt(d) + P, dropout, timeline mask; blocks
q = LN1(x); x = q + MHA(q, x, x); h = LN2(x); x = h + FFN(h), timeline mask after each; final LN;
causal + key-padding additive masks; dropout after the embedding, on the attention output, after
the FFN activation and on the FFN output. Trains on the batches bench/sasrec-epoch.ts wrote.
Prints one JSON line.

Usage: python bench/torch/sasrec_epoch.py DIR MAXLEN THREADS EPOCHS  (run with OMP_WAIT_POLICY=PASSIVE)
"""
import json
import math
import os
import resource
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn

USERS, ITEMS, D, BLOCKS, BATCH, P = 943, 1682, 64, 2, 128, 0.2


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(D, eps=1e-8), nn.LayerNorm(D, eps=1e-8)
        self.q, self.k, self.v, self.out = (nn.Linear(D, D) for _ in range(4))
        self.fc1, self.fc2 = nn.Linear(D, D), nn.Linear(D, D)

    def forward(self, x, mask, keep):
        q = self.ln1(x)
        p = torch.softmax(self.q(q) @ self.k(x).transpose(-1, -2) / math.sqrt(D) + mask, dim=-1)  # 1 head
        x = q + F.dropout(self.out(p @ self.v(x)), P, self.training)
        h = self.ln2(x)
        x = h + F.dropout(self.fc2(F.dropout(torch.relu(self.fc1(h)), P, self.training)), P, self.training)
        return x * keep


class Sasrec(nn.Module):
    def __init__(self, max_len):
        super().__init__()
        self.item_emb = nn.Embedding(ITEMS + 1, D)
        self.pos_emb = nn.Embedding(max_len, D)
        self.blocks = nn.ModuleList(Block() for _ in range(BLOCKS))
        self.final_ln = nn.LayerNorm(D, eps=1e-8)
        with torch.no_grad():  # as initSasrecParams: xavier-normal matrices, zero padding row, zero biases
            for n, p in self.named_parameters():
                if p.dim() >= 2:
                    nn.init.xavier_normal_(p)
                elif n.endswith("bias"):
                    p.zero_()
            self.item_emb.weight[0].zero_()

    def loss(self, seq, pos, neg):
        t = seq.shape[1]
        keep = (seq != 0).float().unsqueeze(-1)  # [B, T, 1]
        causal = torch.triu(torch.full((t, t), -1e9), 1)
        mask = causal + (seq == 0).float()[:, None, :] * -1e9  # [B, T, T]
        x = self.item_emb(seq) * math.sqrt(D) + self.pos_emb(torch.arange(t))
        x = F.dropout(x, P, self.training) * keep
        for blk in self.blocks:
            x = blk(x, mask, keep)
        feats = self.final_ln(x)
        pos_logits = (feats * self.item_emb(pos)).sum(-1)
        neg_logits = (feats * self.item_emb(neg)).sum(-1)
        w = (pos != 0).float()
        return F.binary_cross_entropy_with_logits(
            pos_logits, torch.ones_like(pos_logits), weight=w, reduction="sum"
        ) / w.sum() + F.binary_cross_entropy_with_logits(
            neg_logits, torch.zeros_like(neg_logits), weight=w, reduction="sum"
        ) / w.sum()


def rows(folder, name, max_len):
    n = USERS * max_len
    return torch.from_file(os.path.join(folder, f"{name}.bin"), shared=False, size=n, dtype=torch.int64).view(
        USERS, max_len
    )


def main():
    folder, max_len, threads, epochs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    seq, pos, neg = (rows(folder, k, max_len) for k in ("seq", "pos", "neg"))
    batches = [
        (seq[s : s + BATCH], pos[s : s + BATCH], neg[s : s + BATCH]) for s in range(0, USERS, BATCH)
    ]
    model = Sasrec(max_len)
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.98), eps=1e-8, weight_decay=0.0)
    last = 0.0

    def epoch():
        nonlocal last
        for b in batches:
            opt.zero_grad(set_to_none=True)
            loss = model.loss(*b)
            loss.backward()
            opt.step()
            last = loss.item()

    epoch()  # warm-up
    t0 = time.perf_counter()
    for _ in range(epochs):
        epoch()
    seconds = (time.perf_counter() - t0) / epochs
    print(
        json.dumps(
            {
                "torch": torch.__version__,
                "threads": threads,
                "seconds_per_epoch": seconds,
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "last_loss": last,
            }
        )
    )


if __name__ == "__main__":
    main()
