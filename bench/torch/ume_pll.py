"""PyTorch CPU peer of `npm run bench -- pll`: masked pseudo-log-likelihood under UME.

The identical UME encoder as server/src/engine/ume (lobster's FlexBERT layout, REFERENCE.md §1):
token embedding -> RMSNorm -> + posemb_sincos_1d (positions restart at 0 in every row); pre-norm
blocks x + attn(rmsnorm(x)), x + Wo(gelu(Wi(rmsnorm(x)))) with bidirectional attention and a key
padding mask, no biases; no final norm; MLM head dense -> SiLU -> RMSNorm -> Linear with bias.
Weights are read from the lobster-named safetensors file that saveUmeWeights wrote (torch layout,
so Linear weights are used as stored).

The same masked PLL algorithm as pll.ts: one copy of the sequence per residue position with that
position replaced by <mask>, the MLM head applied only at the masked row of each copy, the log-prob
of the original token read there, the mean over the sequence's positions. Two batchings:
  dynamic  rows sorted by length (longest first), each batch as long as its longest row, rows added
           while rows * length <= max_tokens (what pll.ts packRows does)
  padded   every row padded to `pad` tokens as lobster does, max_tokens // pad rows per batch

Serve mode (--serve): prints one JSON "ready" line, then answers each JSON command line on stdin
  {"seqs": [{"ids": [...], "positions": [...]}, ...], "pad": 0 | 512, "max_tokens": 8192,
   "logprobs": false}
with one JSON line {"ms": compute time, "cpu_ms": CPU time, "means": [...], "logprobs": [[...], ...] (if asked)}.

Run with Debian's interpreter: /usr/bin/python3 (python3-torch, libopenblas0-pthread).
"""
import argparse
import json
import math
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_io import load_safetensors  # noqa: E402

MASK_ID = 8
PAD_ID = 6
ENC = "model.model."



def rms_norm(x, w, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


def posemb_sincos_1d(n, d, temperature):
    """lobster's posemb_sincos_1d: omega_i = 1 / T^(i / (d/2 - 1)); [sin, cos] halves."""
    omega = torch.arange(d // 2, dtype=torch.float64) / (d // 2 - 1)
    omega = 1.0 / temperature ** omega
    angles = torch.arange(n, dtype=torch.float64)[:, None] * omega[None, :]
    return torch.cat([angles.sin(), angles.cos()], dim=1).float()


class Ume:
    def __init__(self, w, c):
        self.w = w
        self.c = c
        self.layers = c["numLayers"]
        self.heads = c["numHeads"]
        self.eps = c["normEps"]
        self.pos = posemb_sincos_1d(1024, c["hiddenSize"], c["posTemperature"])

    def encode(self, ids, mask):
        """Final hidden states [B, T, H] for input ids [B, T] and attention mask [B, T] (1 = token)."""
        w, eps, nh = self.w, self.eps, self.heads
        B, T = ids.shape
        h = rms_norm(F.embedding(ids, w[ENC + "embeddings.tok_embeddings.weight"]), w[ENC + "embeddings.norm.weight"], eps)
        h = h + self.pos[:T]
        bias = torch.zeros(B, 1, 1, T).masked_fill(mask[:, None, None, :] == 0, -1e9)
        d = h.shape[-1]
        dh = d // nh
        for i in range(self.layers):
            p = f"{ENC}encoder.layers.{i}."
            x = rms_norm(h, w[p + "attn_norm.weight"], eps)
            qkv = F.linear(x, w[p + "attn.Wqkv.weight"]).view(B, T, 3, nh, dh).permute(2, 0, 3, 1, 4)
            q, k, v = qkv[0] * (1.0 / math.sqrt(dh)), qkv[1], qkv[2]
            att = torch.softmax(q @ k.transpose(-2, -1) + bias, dim=-1)
            h = h + F.linear((att @ v).transpose(1, 2).reshape(B, T, d), w[p + "attn.Wo.weight"])
            x = rms_norm(h, w[p + "mlp_norm.weight"], eps)
            h = h + F.linear(F.gelu(F.linear(x, w[p + "mlp.Wi.weight"])), w[p + "mlp.Wo.weight"])
        return h

    def head_logprobs(self, rows):
        """log_softmax of the MLM head on hidden rows [N, H] -> [N, vocab]."""
        w = self.w
        x = rms_norm(F.silu(F.linear(rows, w["model.decoder.0.dense.weight"])), w["model.decoder.0.norm.weight"], self.eps)
        return torch.log_softmax(F.linear(x, w["model.decoder.1.weight"], w["model.decoder.1.bias"]), dim=-1)


def plan_rows(seqs):
    """One masked copy per scored position: (sequence index, position, ids with <mask> there)."""
    rows = []
    for s, seq in enumerate(seqs):
        for p in seq["positions"]:
            rows.append((s, p, seq["ids"]))
    return rows


def batches(rows, pad, max_tokens):
    """Dynamic (pad 0): longest first, rows * length <= max_tokens. Padded: max_tokens // pad rows."""
    if pad:
        per = max(1, max_tokens // pad)
        for i in range(0, len(rows), per):
            yield rows[i: i + per], pad
        return
    order = sorted(rows, key=lambda r: -len(r[2]))
    cur, T = [], 0
    for r in order:
        L = max(T, len(r[2]))
        if cur and (len(cur) + 1) * L > max_tokens:
            yield cur, T
            cur = []
        if not cur:
            T = len(r[2])
        cur.append(r)
    if cur:
        yield cur, T


@torch.inference_mode()
def masked_pll(model, seqs, pad, max_tokens):
    logprobs = [[None] * len(s["ids"]) for s in seqs]
    for group, T in batches(plan_rows(seqs), pad, max_tokens):
        B = len(group)
        ids = torch.full((B, T), PAD_ID, dtype=torch.long)
        mask = torch.zeros((B, T), dtype=torch.long)
        where = torch.empty(B, dtype=torch.long)
        targets = torch.empty(B, dtype=torch.long)
        for b, (s, p, seq_ids) in enumerate(group):
            n = len(seq_ids)
            if n > T:
                raise ValueError(f"a sequence of {n} tokens does not fit the padded length {T}")
            ids[b, :n] = torch.tensor(seq_ids)
            mask[b, :n] = 1
            ids[b, p] = MASK_ID
            where[b] = b * T + p
            targets[b] = seq_ids[p]
        hidden = model.encode(ids, mask).reshape(B * T, -1)
        lp = model.head_logprobs(hidden[where]).gather(1, targets[:, None])[:, 0]
        for b, (s, p, _) in enumerate(group):
            logprobs[s][p] = lp[b].item()
    means = []
    for row in logprobs:
        vals = [x for x in row if x is not None]
        means.append(sum(vals) / len(vals) if vals else None)
    return means, logprobs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--weights", required=True, help="lobster-named UME safetensors (saveUmeWeights)")
    ap.add_argument("--config", required=True, help="JSON UmeConfig")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--serve", action="store_true")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    w, _ = load_safetensors(a.weights)
    w = {k: v.float() for k, v in w.items()}
    model = Ume(w, json.loads(a.config))
    if not a.serve:
        raise SystemExit("ume_pll.py runs as the bench's peer: pass --serve and send commands on stdin")
    print(json.dumps({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads(),
                      "blas": os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3")}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            break
        cmd = json.loads(line)
        t0, c0 = time.perf_counter(), time.process_time()
        means, logprobs = masked_pll(model, cmd["seqs"], cmd.get("pad", 0), cmd.get("max_tokens", 8192))
        ms = (time.perf_counter() - t0) * 1000
        # CPU time of all threads: on a busy machine spinning threads inflate it, but it is the
        # fairer measure when the wall clock depends on how the scheduler treats each process.
        out = {"ms": ms, "cpu_ms": (time.process_time() - c0) * 1000, "means": means}
        if cmd.get("logprobs"):
            out["logprobs"] = logprobs
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # a clear one-line reason for the TypeScript side
        print(json.dumps({"error": f"{type(e).__name__}: {e}"}), flush=True)
        sys.exit(1)
