#!/usr/bin/python3
"""An independent PyTorch implementation of the Hugging Face causal LMs UME Studio loads
(LlamaForCausalLM / SmolLM, MistralForCausalLM, Qwen2ForCausalLM, Qwen3ForCausalLM, GPT2LMHeadModel),
written from transformers' modeling code (rotate_half RoPE with default/linear/llama3/yarn/dynamic
inverse frequencies, repeat_kv grouped-query attention, RMSNorm in float32 semantics, Qwen2 q/k/v
biases, Qwen3 q/k RMSNorm, GPT-2 Conv1D with learned positions), with its own KV cache.
No transformers package is needed (none is installed here).

Modes (JSON on stdin, JSON on stdout):
  make   {"cases": [{"dir", "config", "seed", "dtype": "F32"|"F16"|"BF16", "shards": 1|2,
          "unprefixed": bool, "prompts": [[ids]], "new_tokens": n}]}
         writes each model folder (config.json + safetensors written by hand: random weights with
         HF names) and returns, per case and prompt, the full-sequence logits of the prompt, the
         greedy continuation computed with the KV cache, the per-token log-probs of those tokens,
         and the logits at every generated step. Reference math in float64 on the stored values.
  bench  {"dir", "batch", "prompt_len", "new_tokens", "threads", "repeats"}: loads a folder, times
         prefill and KV-cache greedy decode in float32 (torch.no_grad), returns tokens/s.
"""
import json
import math
import os
import struct
import sys
import time

import torch

# ---------------------------------------------------------------- safetensors by hand

ST_DTYPE = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}


def write_safetensors(path, tensors, dtype):
    header = {}
    blobs = []
    offset = 0
    for name, t in tensors.items():
        t = t.to(ST_DTYPE[dtype]).contiguous()
        raw = (t.view(torch.int16) if dtype == "BF16" else t).numpy().tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    js = json.dumps(header).encode()
    js += b" " * ((8 - len(js) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(js)))
        f.write(js)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        b, end = e["data_offsets"]
        buf = bytearray(data[b:end])
        if e["dtype"] == "BF16":
            t = torch.frombuffer(buf, dtype=torch.int16).view(torch.bfloat16)
        else:
            t = torch.frombuffer(buf, dtype=ST_DTYPE[e["dtype"]])
        out[name] = t.reshape(e["shape"]).float()
    return out


def read_folder(d):
    single = os.path.join(d, "model.safetensors")
    if os.path.exists(single):
        return read_safetensors(single)
    index = json.load(open(os.path.join(d, "model.safetensors.index.json")))
    out = {}
    for f in sorted(set(index["weight_map"].values())):
        out.update(read_safetensors(os.path.join(d, f)))
    return out


# ---------------------------------------------------------------- config

def family(cfg):
    a = cfg["architectures"][0]
    if a == "GPT2LMHeadModel":
        return "gpt2"
    if a in ("LlamaForCausalLM", "MistralForCausalLM", "Qwen2ForCausalLM", "Qwen3ForCausalLM"):
        return "llama"
    raise ValueError(a)


class Spec:
    def __init__(self, cfg):
        self.cfg = cfg
        self.arch = cfg["architectures"][0]
        self.family = family(cfg)
        if self.family == "gpt2":
            self.d = cfg["n_embd"]
            self.L = cfg["n_layer"]
            self.H = cfg["n_head"]
            self.KV = self.H
            self.dh = self.d // self.H
            self.I = cfg.get("n_inner") or 4 * self.d
            self.V = cfg["vocab_size"]
            self.eps = cfg.get("layer_norm_epsilon", 1e-5)
            self.tied = cfg.get("tie_word_embeddings", True)
            self.npos = cfg["n_positions"]
        else:
            self.d = cfg["hidden_size"]
            self.L = cfg["num_hidden_layers"]
            self.H = cfg["num_attention_heads"]
            self.KV = cfg.get("num_key_value_heads") or self.H
            self.dh = cfg.get("head_dim") or self.d // self.H
            self.I = cfg["intermediate_size"]
            self.V = cfg["vocab_size"]
            self.eps = cfg.get("rms_norm_eps", 1e-6)
            self.tied = cfg.get("tie_word_embeddings", False)
            qwen2 = self.arch == "Qwen2ForCausalLM"
            qwen3 = self.arch == "Qwen3ForCausalLM"
            ab = cfg.get("attention_bias", False)
            self.qkv_bias = qwen2 or ab
            self.o_bias = (not qwen2) and ab
            self.mlp_bias = (not qwen2) and (not qwen3) and cfg.get("mlp_bias", False)
            self.qk_norm = qwen3
            self.inv_freq, self.attn_scale = inv_freq(cfg, self.dh)


def inv_freq(cfg, dim):
    """transformers' modeling_rope_utils, written out (float32 as torch computes it)."""
    base = cfg.get("rope_theta", 10000.0)
    s = cfg.get("rope_scaling") or {}
    kind = s.get("rope_type", s.get("type", "default"))
    inv = 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim))
    if kind in ("default", "dynamic"):
        return inv, 1.0
    if kind == "linear":
        return inv / s["factor"], 1.0
    if kind == "llama3":
        factor, lo, hi, old = s["factor"], s["low_freq_factor"], s["high_freq_factor"], s["original_max_position_embeddings"]
        low_wl, high_wl = old / lo, old / hi
        wl = 2 * math.pi / inv
        out = torch.where(wl > low_wl, inv / factor, inv)
        smooth = (old / wl - lo) / (hi - lo)
        smoothed = (1 - smooth) * out / factor + smooth * out
        medium = ~(wl < high_wl) * ~(wl > low_wl)
        return torch.where(medium, smoothed, out), 1.0
    if kind == "yarn":
        factor = s["factor"]
        orig = s.get("original_max_position_embeddings") or cfg["max_position_embeddings"]

        def get_mscale(scale, m=1):
            return 1.0 if scale <= 1 else 0.1 * m * math.log(scale) + 1.0

        att = s.get("attention_factor")
        if att is None:
            if s.get("mscale") and s.get("mscale_all_dim"):
                att = get_mscale(factor, s["mscale"]) / get_mscale(factor, s["mscale_all_dim"])
            else:
                att = get_mscale(factor)
        beta_fast = s.get("beta_fast") or 32
        beta_slow = s.get("beta_slow") or 1

        def corr_dim(rot):
            return (dim * math.log(orig / (rot * 2 * math.pi))) / (2 * math.log(base))

        low, high = corr_dim(beta_fast), corr_dim(beta_slow)
        if s.get("truncate", True):
            low, high = math.floor(low), math.ceil(high)
        low, high = max(low, 0), min(high, dim - 1)
        if low == high:
            high += 0.001
        ramp = torch.clamp((torch.arange(dim // 2, dtype=torch.float32) - low) / (high - low), 0, 1)
        pos_freqs = base ** (torch.arange(0, dim, 2).float() / dim)
        extra = 1.0 / pos_freqs
        inter = 1.0 / (factor * pos_freqs)
        ef = 1 - ramp
        return inter * (1 - ef) + extra * ef, float(att)
    raise ValueError(kind)


# ---------------------------------------------------------------- random weights with HF names

def random_weights(spec, seed):
    g = torch.Generator().manual_seed(seed)
    w = {}

    def rnd(*shape, std=0.15):
        return torch.randn(*shape, generator=g) * std

    def ones(n):
        return 1 + rnd(n, std=0.1)

    d, V = spec.d, spec.V
    if spec.family == "gpt2":
        w["transformer.wte.weight"] = rnd(V, d, std=0.3)
        w["transformer.wpe.weight"] = rnd(spec.npos, d, std=0.1)
        for i in range(spec.L):
            p = f"transformer.h.{i}"
            for ln in ("ln_1", "ln_2"):
                w[f"{p}.{ln}.weight"] = ones(d)
                w[f"{p}.{ln}.bias"] = rnd(d, std=0.05)
            w[f"{p}.attn.c_attn.weight"] = rnd(d, 3 * d)
            w[f"{p}.attn.c_attn.bias"] = rnd(3 * d, std=0.05)
            w[f"{p}.attn.c_proj.weight"] = rnd(d, d)
            w[f"{p}.attn.c_proj.bias"] = rnd(d, std=0.05)
            w[f"{p}.mlp.c_fc.weight"] = rnd(d, spec.I)
            w[f"{p}.mlp.c_fc.bias"] = rnd(spec.I, std=0.05)
            w[f"{p}.mlp.c_proj.weight"] = rnd(spec.I, d)
            w[f"{p}.mlp.c_proj.bias"] = rnd(d, std=0.05)
        w["transformer.ln_f.weight"] = ones(d)
        w["transformer.ln_f.bias"] = rnd(d, std=0.05)
        if not spec.tied:
            w["lm_head.weight"] = rnd(V, d, std=0.3)
        return w
    q, kv = spec.H * spec.dh, spec.KV * spec.dh
    w["model.embed_tokens.weight"] = rnd(V, d, std=0.3)

    def lin(name, out, inp, bias):
        w[f"{name}.weight"] = rnd(out, inp)
        if bias:
            w[f"{name}.bias"] = rnd(out, std=0.1)

    for i in range(spec.L):
        p = f"model.layers.{i}"
        w[f"{p}.input_layernorm.weight"] = ones(d)
        lin(f"{p}.self_attn.q_proj", q, d, spec.qkv_bias)
        lin(f"{p}.self_attn.k_proj", kv, d, spec.qkv_bias)
        lin(f"{p}.self_attn.v_proj", kv, d, spec.qkv_bias)
        lin(f"{p}.self_attn.o_proj", d, q, spec.o_bias)
        if spec.qk_norm:
            w[f"{p}.self_attn.q_norm.weight"] = ones(spec.dh)
            w[f"{p}.self_attn.k_norm.weight"] = ones(spec.dh)
        w[f"{p}.post_attention_layernorm.weight"] = ones(d)
        lin(f"{p}.mlp.gate_proj", spec.I, d, spec.mlp_bias)
        lin(f"{p}.mlp.up_proj", spec.I, d, spec.mlp_bias)
        lin(f"{p}.mlp.down_proj", d, spec.I, spec.mlp_bias)
    w["model.norm.weight"] = ones(d)
    if not spec.tied:
        w["lm_head.weight"] = rnd(V, d, std=0.3)
    return w


# ---------------------------------------------------------------- the models

def rms_norm(x, w, eps):
    var = x.pow(2).mean(-1, keepdim=True)
    return w * (x * torch.rsqrt(var + eps))


def rotate_half(x):
    x1 = x[..., : x.shape[-1] // 2]
    x2 = x[..., x.shape[-1] // 2 :]
    return torch.cat((-x2, x1), dim=-1)


def repeat_kv(x, n):
    if n == 1:
        return x
    b, kv, s, dh = x.shape
    return x[:, :, None, :, :].expand(b, kv, n, s, dh).reshape(b, kv * n, s, dh)


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


class Model:
    def __init__(self, spec, weights, dtype):
        self.s = spec
        self.w = {k: v.to(dtype) for k, v in weights.items()}
        self.dtype = dtype
        if spec.family != "gpt2":
            self.inv = spec.inv_freq

    def head(self, h):
        s, w = self.s, self.w
        if s.family == "gpt2":
            x = torch.nn.functional.layer_norm(h, (s.d,), w["transformer.ln_f.weight"], w["transformer.ln_f.bias"], s.eps)
            return x @ (w["transformer.wte.weight"] if s.tied else w["lm_head.weight"]).T
        x = rms_norm(h, w["model.norm.weight"], s.eps)
        return x @ (w["model.embed_tokens.weight"] if s.tied else w["lm_head.weight"]).T

    def forward(self, ids, positions, cache):
        """ids, positions [B, T]; cache: list of (k, v) [B, H_kv, S, dh] or None. One batch row per
        sequence, no padding. Returns logits [B, T, V] and the extended cache."""
        s, w = self.s, self.w
        B, T = ids.shape
        new_cache = []
        past = 0 if cache is None else cache[0][0].shape[2]
        total = past + T
        causal = torch.full((T, total), float("-inf"), dtype=self.dtype).triu(past + 1)
        if s.family == "gpt2":
            h = w["transformer.wte.weight"][ids] + w["transformer.wpe.weight"][positions]
        else:
            h = w["model.embed_tokens.weight"][ids]
            freqs = positions[:, :, None].float() * self.inv[None, None, :]
            emb = torch.cat((freqs, freqs), dim=-1)
            cos = (emb.cos() * s.attn_scale).to(self.dtype)[:, None]
            sin = (emb.sin() * s.attn_scale).to(self.dtype)[:, None]
        for i in range(s.L):
            if s.family == "gpt2":
                p = f"transformer.h.{i}"
                x = torch.nn.functional.layer_norm(h, (s.d,), w[f"{p}.ln_1.weight"], w[f"{p}.ln_1.bias"], s.eps)
                qkv = x @ w[f"{p}.attn.c_attn.weight"] + w[f"{p}.attn.c_attn.bias"]
                q, k, v = qkv.split(s.d, dim=2)
                q, k, v = (t.view(B, T, s.H, s.dh).transpose(1, 2) for t in (q, k, v))
            else:
                p = f"model.layers.{i}"
                x = rms_norm(h, w[f"{p}.input_layernorm.weight"], s.eps)

                def proj(name, bias):
                    y = x @ w[f"{p}.self_attn.{name}.weight"].T
                    return y + w[f"{p}.self_attn.{name}.bias"] if bias else y

                q = proj("q_proj", s.qkv_bias).view(B, T, s.H, s.dh)
                k = proj("k_proj", s.qkv_bias).view(B, T, s.KV, s.dh)
                v = proj("v_proj", s.qkv_bias).view(B, T, s.KV, s.dh)
                if s.qk_norm:
                    q = rms_norm(q, w[f"{p}.self_attn.q_norm.weight"], s.eps)
                    k = rms_norm(k, w[f"{p}.self_attn.k_norm.weight"], s.eps)
                q, k, v = q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)
                q = q * cos + rotate_half(q) * sin
                k = k * cos + rotate_half(k) * sin
            if cache is not None:
                k = torch.cat((cache[i][0], k), dim=2)
                v = torch.cat((cache[i][1], v), dim=2)
            new_cache.append((k, v))
            kr, vr = repeat_kv(k, s.H // s.KV), repeat_kv(v, s.H // s.KV)
            att = (q @ kr.transpose(2, 3)) / math.sqrt(s.dh) + causal
            ctx = torch.softmax(att, dim=-1) @ vr
            ctx = ctx.transpose(1, 2).reshape(B, T, s.H * s.dh)
            if s.family == "gpt2":
                h = h + ctx @ w[f"{p}.attn.c_proj.weight"] + w[f"{p}.attn.c_proj.bias"]
                x = torch.nn.functional.layer_norm(h, (s.d,), w[f"{p}.ln_2.weight"], w[f"{p}.ln_2.bias"], s.eps)
                act = gelu_new if s.cfg.get("activation_function", "gelu_new") in ("gelu_new", "gelu_pytorch_tanh") else torch.nn.functional.gelu
                h = h + act(x @ w[f"{p}.mlp.c_fc.weight"] + w[f"{p}.mlp.c_fc.bias"]) @ w[f"{p}.mlp.c_proj.weight"] + w[f"{p}.mlp.c_proj.bias"]
            else:
                o = ctx @ w[f"{p}.self_attn.o_proj.weight"].T
                if s.o_bias:
                    o = o + w[f"{p}.self_attn.o_proj.bias"]
                h = h + o
                x = rms_norm(h, w[f"{p}.post_attention_layernorm.weight"], s.eps)

                def mlp(name):
                    y = x @ w[f"{p}.mlp.{name}.weight"].T
                    return y + w[f"{p}.mlp.{name}.bias"] if s.mlp_bias else y

                gate = torch.nn.functional.silu(mlp("gate_proj"))
                y = (gate * mlp("up_proj")) @ w[f"{p}.mlp.down_proj.weight"].T
                if s.mlp_bias:
                    y = y + w[f"{p}.mlp.down_proj.bias"]
                h = h + y
        return self.head(h), new_cache


def greedy(model, prompt, n):
    ids = torch.tensor([prompt])
    pos = torch.arange(len(prompt))[None]
    logits, cache = model.forward(ids, pos, None)
    last = logits[:, -1]
    tokens, logps, step_logits = [], [], []
    for t in range(n):
        lp = torch.log_softmax(last, dim=-1)
        tok = int(torch.argmax(last, dim=-1))
        tokens.append(tok)
        logps.append(float(lp[0, tok]))
        step_logits.append(last[0].tolist())
        if t == n - 1:
            break
        logits, cache = model.forward(torch.tensor([[tok]]), torch.tensor([[len(prompt) + t]]), cache)
        last = logits[:, -1]
    return tokens, logps, step_logits


# ---------------------------------------------------------------- modes

def make(case):
    cfg = case["config"]
    spec = Spec(cfg)
    weights = random_weights(spec, case.get("seed", 0))
    d = case["dir"]
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
    dtype = case.get("dtype", "F32")
    names = list(weights)
    file_weights = weights
    if case.get("unprefixed"):
        # Like the original gpt2 files: no "transformer." prefix, plus the causal-mask buffers.
        file_weights = {k[len("transformer."):] if k.startswith("transformer.") else k: v for k, v in weights.items()}
        for i in range(spec.L):
            file_weights[f"h.{i}.attn.bias"] = torch.tril(torch.ones(4, 4))
    if case.get("shards", 1) > 1:
        names = list(file_weights)
        half = len(names) // 2
        parts = [names[:half], names[half:]]
        wmap = {}
        for j, part in enumerate(parts):
            fname = f"model-{j + 1:05d}-of-{len(parts):05d}.safetensors"
            write_safetensors(os.path.join(d, fname), {n: file_weights[n] for n in part}, dtype)
            wmap.update({n: fname for n in part})
        with open(os.path.join(d, "model.safetensors.index.json"), "w") as f:
            json.dump({"metadata": {}, "weight_map": wmap}, f)
    else:
        write_safetensors(os.path.join(d, "model.safetensors"), file_weights, dtype)
    # The reference computes on the stored values (rounded to the file's dtype), in float64.
    stored = {k: v.to(ST_DTYPE[dtype]).double() for k, v in weights.items()}
    model = Model(spec, stored, torch.float64)
    out = []
    with torch.no_grad():
        for prompt in case["prompts"]:
            ids = torch.tensor([prompt])
            logits, _ = model.forward(ids, torch.arange(len(prompt))[None], None)
            tokens, logps, step_logits = greedy(model, prompt, case.get("new_tokens", 6))
            out.append({"logits": logits[0].flatten().tolist(), "greedy": tokens, "logps": logps, "step_logits": [x for row in step_logits for x in row]})
    return {"dir": d, "prompts": out}


def bench(req):
    torch.set_num_threads(req.get("threads", 2))
    d = req["dir"]
    cfg = json.load(open(os.path.join(d, "config.json")))
    spec = Spec(cfg)
    model = Model(spec, read_folder(d), torch.float32)
    B, P, N = req["batch"], req["prompt_len"], req["new_tokens"]
    g = torch.Generator().manual_seed(1)
    ids = torch.randint(0, spec.V, (B, P), generator=g)
    pos = torch.arange(P)[None].expand(B, P)
    prefill, decode = [], []
    with torch.no_grad():
        for r in range(req.get("repeats", 3) + 1):
            t0 = time.perf_counter()
            logits, cache = model.forward(ids, pos, None)
            t1 = time.perf_counter()
            tok = logits[:, -1].argmax(-1, keepdim=True)
            for t in range(N - 1):
                logits, cache = model.forward(tok, torch.full((B, 1), P + t), cache)
                tok = logits[:, -1].argmax(-1, keepdim=True)
            t2 = time.perf_counter()
            if r > 0:  # the first round warms up
                prefill.append(t1 - t0)
                decode.append(t2 - t1)
    prefill.sort()
    decode.sort()
    return {"prefill_s": prefill[len(prefill) // 2], "decode_s": decode[len(decode) // 2], "prefill_tokens_per_s": B * P / prefill[len(prefill) // 2], "decode_tokens_per_s": B * (N - 1) / decode[len(decode) // 2], "threads": torch.get_num_threads(), "torch": torch.__version__}


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "make"
    req = json.load(sys.stdin)
    if mode == "make":
        res = [make(c) for c in req["cases"]]
    elif mode == "bench":
        res = bench(req)
    else:
        raise SystemExit(f"unknown mode {mode}; use make or bench")
    json.dump(res, sys.stdout)


if __name__ == "__main__":
    main()
