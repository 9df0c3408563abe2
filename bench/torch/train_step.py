"""PyTorch CPU peer of `npm run bench -- train-step`.

The identical GPT-style model and optimizer as server/src/engine/models/gpt.ts + AdamW in
server/src/engine/train: learned positions, pre-norm RMSNorm, causal multi-head attention with a
fused QKV projection, exact-erf GELU MLP, final RMSNorm, untied LM head, mean cross-entropy with
ignore_index -100, global-norm clipping at 1.0, torch.optim.AdamW with weight decay on matrices only.

It loads the initial weights and the batch the TypeScript bench wrote (safetensors; our weights
are [in, out], torch.nn.Linear wants [out, in]), so both engines start from the same point and the
first losses can be compared. Prints ONE JSON line on stdout.

Run with Debian's interpreter: /usr/bin/python3 (python3-torch, libopenblas0-pthread).
"""
import argparse
import json
import math
import os
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_io import load_safetensors  # noqa: E402


class RMSNorm(nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


class Block(nn.Module):
    def __init__(self, d, heads, dff, eps):
        super().__init__()
        self.heads = heads
        self.attn_norm = RMSNorm(d, eps)
        self.Wqkv = nn.Linear(d, 3 * d, bias=False)
        self.Wo = nn.Linear(d, d, bias=False)
        self.mlp_norm = RMSNorm(d, eps)
        self.Wi = nn.Linear(d, dff, bias=False)
        self.Wo_mlp = nn.Linear(dff, d, bias=False)

    def attn(self, x, bias):
        B, T, d = x.shape
        H = self.heads
        dh = d // H
        qkv = self.Wqkv(x).view(B, T, 3, H, dh).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0] * (1.0 / math.sqrt(dh)), qkv[1], qkv[2]
        p = torch.softmax(q @ k.transpose(-2, -1) + bias, dim=-1)
        return self.Wo((p @ v).transpose(1, 2).reshape(B, T, d))

    def forward(self, x, bias):
        x = x + self.attn(self.attn_norm(x), bias)
        return x + self.Wo_mlp(F.gelu(self.Wi(self.mlp_norm(x))))


class Gpt(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c["dModel"]
        self.embed = nn.Embedding(c["vocabSize"], d)
        self.pos_embed = nn.Embedding(c["maxLen"], d)
        self.layers = nn.ModuleList([Block(d, c["nHeads"], c["dFF"], c["normEps"]) for _ in range(c["nLayers"])])
        self.final_norm = RMSNorm(d, c["normEps"])
        self.lm_head = nn.Linear(d, c["vocabSize"], bias=False)

    def forward(self, ids):
        T = ids.shape[1]
        pos = torch.arange(T)
        h = self.embed(ids) + self.pos_embed(pos)
        bias = torch.triu(torch.full((T, T), -1e9), diagonal=1)
        for layer in self.layers:
            h = layer(h, bias)
        return self.lm_head(self.final_norm(h))

    def load_ours(self, w):
        """Our names and [in, out] layout -> this module."""
        with torch.no_grad():
            self.embed.weight.copy_(w["embed.weight"])
            self.pos_embed.weight.copy_(w["pos_embed.weight"])
            for i, layer in enumerate(self.layers):
                p = f"layers.{i}."
                layer.attn_norm.weight.copy_(w[p + "attn_norm.weight"])
                layer.Wqkv.weight.copy_(w[p + "attn.Wqkv.weight"].t())
                layer.Wo.weight.copy_(w[p + "attn.Wo.weight"].t())
                layer.mlp_norm.weight.copy_(w[p + "mlp_norm.weight"])
                layer.Wi.weight.copy_(w[p + "mlp.Wi.weight"].t())
                layer.Wo_mlp.weight.copy_(w[p + "mlp.Wo.weight"].t())
            self.final_norm.weight.copy_(w["final_norm.weight"])
            self.lm_head.weight.copy_(w["lm_head.weight"].t())


def matmul_peak(n=1024, warmup=3, iters=15):
    """GFLOP/s of one n^3 float32 matmul, the same yardstick the TypeScript side measures through ORT."""
    a, b = torch.randn(n, n), torch.randn(n, n)
    times = []
    for i in range(warmup + iters):
        t0 = time.perf_counter()
        torch.mm(a, b)
        if i >= warmup:
            times.append(time.perf_counter() - t0)
    return 2 * n**3 / statistics.median(times) / 1e9


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True, help="safetensors with weights and batch.* tensors")
    ap.add_argument("--config", required=True, help="JSON GptConfig")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--iters", type=int, default=10)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--check-steps", type=int, default=3)
    ap.add_argument("--serve", action="store_true",
                    help="interleaved mode: run one step per 'step' line on stdin, answer one JSON line each")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    c = json.loads(a.config)
    w, _ = load_safetensors(a.data)
    ids, labels = w.pop("batch.input_ids"), w.pop("batch.labels")
    model = Gpt(c)
    model.load_ours(w)
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}],
        lr=a.lr, betas=(0.9, 0.999), eps=1e-8,
    )

    def step():
        opt.zero_grad(set_to_none=True)
        logits = model(ids)
        loss = F.cross_entropy(logits.view(-1, logits.shape[-1]), labels.view(-1), ignore_index=-100)
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return loss.item(), norm.item()

    if a.serve:
        # The TypeScript bench alternates one step here with one of ours, so both see the same
        # machine load (other processes come and go during a run).
        print(json.dumps({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads(),
                          "matmul_gflops": matmul_peak(),
                          "blas": os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3")}), flush=True)
        for line in sys.stdin:
            if line.strip() != "step":
                break
            t0, c0 = time.perf_counter(), time.process_time()
            loss, _ = step()
            ms, cpu_ms = (time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000
            print(json.dumps({"ms": ms, "cpu_ms": cpu_ms, "loss": loss}), flush=True)
        return

    losses = []
    times = []
    for i in range(a.warmup + a.iters):
        t0 = time.perf_counter()
        loss, _ = step()
        dt = (time.perf_counter() - t0) * 1000
        if i < a.check_steps:
            losses.append(loss)
        if i >= a.warmup:
            times.append(dt)
    print(json.dumps({
        "median_ms": statistics.median(times),
        "times_ms": times,
        "losses": losses,
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        # Debian's torch links the generic libblas.so.3; the alternatives system picks the library.
        "blas": os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3"),
    }))


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # a clear one-line reason for the TypeScript side
        print(json.dumps({"error": f"{type(e).__name__}: {e}"}))
        sys.exit(1)
