"""PyTorch CPU peer of `npm run bench -- grpo-step`: one whole GRPO step of policy-tiny in eager PyTorch.

The same step the TypeScript trainer runs (server/src/engine/training), written the way a PyTorch
user would write it:
  1. generation: batched KV-cache sampling (left-padded prefill once, then one token per row per
     step against a preallocated cache, attending only to the slots written so far), temperature,
     restricted to the prompt's modality range + <eos> exactly as policy-tiny's vocab.ts table does,
     stop at <eos> or max_new_tokens, finished rows dropping out of the compute (a finished row's
     cache slot is refilled by moving ONE row from the end, as policy-tiny's decoder does);
  2. reward: the completion as lobster's tagged text, RDKit (Python) validity for SMILES, UME's
     tokenizer (regex split + WordLevel for SMILES, characters for proteins/DNA), unmasked PLL under
     UME in torch (bench/torch/ume_pll.py's encoder and MLM head) / temperature 0.1, rows with
     <unk> abstaining (None), failed rows penalised 'below-worst' (engine/reward/penalty.ts);
  3. TRL's advantages (group mean/std, + 1e-4), then the dapo loss on a right-padded batch (one
     forward of prompt + completion, log-softmax at the completion positions, restriction bias),
     backward, clip_grad_norm_ 1.0, torch.optim.AdamW.

Draws: the same xoshiro128** generator as server/src/engine/train/rng.ts and the same inverse-CDF
draw (one uniform per sampled token, rows in prompt order), so with the same seed and weights both
engines sample the same completions (up to float rounding at a CDF boundary); the TypeScript bench
compares them, and the rewards and losses of the shared completions, as its same-step check.

Serve mode only (--serve): one JSON "ready" line, then per command line on stdin one JSON answer:
  {"cmd": "step", "prompts": [[ids], ...], "seed": s, "max_new_tokens": n}
      -> {"ms", "cpu_ms", "gen_ms", "reward_ms", "update_ms", "tokens", "completions", "rewards",
          "loss", "grad_norm", ...}
  {"cmd": "reset"} reloads the initial weights and a fresh optimizer.

Run with Debian's interpreter: /usr/bin/python3 (python3-torch, libopenblas0-pthread, python3-rdkit).
"""
import argparse
import json
import math
import os
import re
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_io import load_safetensors  # noqa: E402
from train_step import Gpt  # noqa: E402  (the same GPT module the train-step peer uses)
from ume_pll import Ume  # noqa: E402  (UME's encoder and MLM head in torch)

from rdkit import Chem, RDLogger  # noqa: E402

RDLogger.DisableLog("rdApp.*")

EOS, UNK, PAD = 4, 5, 6
CLS_MODALITY = {1: "amino_acid", 2: "SMILES", 3: "nucleotide"}
MASK_NEG = -1e9
M32 = 0xFFFFFFFF


# ---- server/src/engine/train/rng.ts: xoshiro128** seeded through splitmix32

class Rng:
    def __init__(self, seed):
        s = seed & M32
        words = []
        for _ in range(4):
            s = (s + 0x9E3779B9) & M32
            z = s
            z = ((z ^ (z >> 16)) * 0x85EBCA6B) & M32
            z = ((z ^ (z >> 13)) * 0xC2B2AE35) & M32
            words.append((z ^ (z >> 16)) & M32)
        self.s0, self.s1, self.s2, self.s3 = words

    def next_uint32(self):
        s1 = self.s1
        x = (s1 * 5) & M32
        result = ((((x << 7) | (x >> 25)) & M32) * 9) & M32
        t = (s1 << 9) & M32
        self.s2 ^= self.s0
        self.s3 ^= self.s1
        self.s1 ^= self.s2
        self.s0 ^= self.s3
        self.s2 ^= t
        self.s3 = ((self.s3 << 11) | (self.s3 >> 21)) & M32
        return result

    def uniform(self):
        hi = self.next_uint32() >> 5
        lo = self.next_uint32() >> 6
        return (hi * 67108864 + lo) / 9007199254740992


# ---- UME's vocabulary (server/src/engine/ume/tokenizer.ts), read from the JSON the bench writes

class Vocab:
    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            v = json.load(f)
        self.tokens = v["tokens"]
        self.ranges = {m: tuple(r) for m, r in v["ranges"].items()}
        self.smiles_re = re.compile(v["smiles_pattern"])
        self.lookup = {m: {self.tokens[i]: i for i in range(lo, hi + 1)} for m, (lo, hi) in self.ranges.items()}
        for m, (lo, hi) in self.ranges.items():
            for i in range(lo, hi + 1):
                # No modality token holds '<', so generated text never contains a literal special
                # token or a tag: the tagged text needs no added-token split or tag search.
                if "<" in self.tokens[i]:
                    raise ValueError(f"token {i} {self.tokens[i]!r} of {m} holds '<'; the peer's tokenizer shortcut does not apply")
        self.vocab_size = len(self.tokens)
        # vocab.ts allowedTable: row r (the prompt's first id 1..3) allows its modality's ids and <eos>.
        allowed = torch.zeros(4, self.vocab_size, dtype=torch.bool)
        allowed[0] = True
        for cls, m in CLS_MODALITY.items():
            lo, hi = self.ranges[m]
            allowed[cls, lo:hi + 1] = True
            allowed[cls, EOS] = True
        self.sample_bias = torch.where(allowed, 0.0, -math.inf)  # host sampler: -Infinity
        self.train_bias = torch.where(allowed, 0.0, MASK_NEG)  # logps.ts RESTRICTED_LOGIT

    def token_text(self, i, modality):
        s = self.tokens[i]
        return s.upper() if modality == "nucleotide" else s

    def encode(self, text, modality, max_length):
        """<cls_MODALITY> tokens <eos>, truncated to max_length; (ids, truncated)."""
        cls = {v: k for k, v in CLS_MODALITY.items()}[modality]
        ids = [cls]
        table = self.lookup[modality]
        if modality == "SMILES":
            last = 0
            for m in self.smiles_re.finditer(text):
                if m.start() > last:
                    ids.append(UNK)  # an unmatched gap is one piece, unknown to the WordLevel vocab
                ids.append(table.get(m.group(0), UNK))
                last = m.end()
            if last < len(text):
                ids.append(UNK)
        else:
            src = text.lower() if modality == "nucleotide" else text
            ids.extend(table.get(ch, UNK) for ch in src)
        truncated = len(ids) + 1 > max_length
        if truncated:
            ids = ids[: max_length - 1]
        ids.append(EOS)
        return ids, truncated


# ---- 1. generation: batched KV-cache sampling

class Sampler:
    def __init__(self, model, cfg, vocab):
        self.m = model
        self.H = cfg["nHeads"]
        self.d = cfg["dModel"]
        self.dh = self.d // self.H
        self.L = cfg["nLayers"]
        self.vocab = vocab
        self.cache = None  # reused from one generation to the next (fresh pages cost page faults)

    def buffers(self, N, S):
        if self.cache is None or self.cache[0][0].shape[0] < N or self.cache[0][0].shape[2] < S:
            shape = (N, self.H, S, self.dh)
            self.cache = ([torch.empty(shape) for _ in range(self.L)], [torch.empty(shape) for _ in range(self.L)], torch.empty(N, S))
        K, V, bias = self.cache
        return [k[:N, :, :S] for k in K], [v[:N, :, :S] for v in V], bias[:N, :S]

    def prefill(self, prompts, S):
        m, H, dh = self.m, self.H, self.dh
        N = len(prompts)
        P = max(len(p) for p in prompts)
        ids = torch.full((N, P), PAD, dtype=torch.long)
        pos = torch.zeros((N, P), dtype=torch.long)
        keyok = torch.zeros((N, P), dtype=torch.bool)
        for b, p in enumerate(prompts):
            pad = P - len(p)
            ids[b, pad:] = torch.tensor(p)
            pos[b, pad:] = torch.arange(len(p))
            keyok[b, pad:] = True
        K, V, kbias = self.buffers(N, S)
        kbias.fill_(MASK_NEG)
        kbias[:, :P].masked_fill_(keyok, 0.0)
        causal = torch.triu(torch.full((P, P), MASK_NEG), diagonal=1)
        attn_bias = causal + kbias[:, None, None, :P]
        h = m.embed(ids) + m.pos_embed(pos)
        for i, layer in enumerate(m.layers):
            x = layer.attn_norm(h)
            qkv = layer.Wqkv(x).view(N, P, 3, H, dh).permute(2, 0, 3, 1, 4)
            q, k, v = qkv[0] * (1.0 / math.sqrt(dh)), qkv[1], qkv[2]
            K[i][:, :, :P] = k
            V[i][:, :, :P] = v
            p_attn = torch.softmax(q @ k.transpose(-2, -1) + attn_bias, dim=-1)
            h = h + layer.Wo((p_attn @ v).transpose(1, 2).reshape(N, P, self.d))
            h = h + layer.Wo_mlp(F.gelu(layer.Wi(layer.mlp_norm(h))))
        logits = m.lm_head(m.final_norm(h[:, -1]))
        return logits, K, V, kbias, P

    def decode(self, tokens, positions, K, V, kbias, n, slot):
        """One token for physical rows 0..n-1 at cache slot `slot`; attends to slots 0..slot."""
        m, H, dh = self.m, self.H, self.dh
        h = m.embed(tokens) + m.pos_embed(positions)  # [n, d]
        kbias[:n, slot] = 0.0
        bias = kbias[:n, None, None, : slot + 1]
        for i, layer in enumerate(m.layers):
            x = layer.attn_norm(h)
            qkv = layer.Wqkv(x).view(n, 3, H, dh)
            q = qkv[:, 0] * (1.0 / math.sqrt(dh))
            K[i][:n, :, slot] = qkv[:, 1]
            V[i][:n, :, slot] = qkv[:, 2]
            scores = q.unsqueeze(2) @ K[i][:n, :, : slot + 1].transpose(-2, -1) + bias  # [n, H, 1, slot+1]
            ctx = torch.softmax(scores, dim=-1) @ V[i][:n, :, : slot + 1]  # [n, H, 1, dh]
            h = h + layer.Wo(ctx.reshape(n, self.d))
            h = h + layer.Wo_mlp(F.gelu(layer.Wi(layer.mlp_norm(h))))
        return m.lm_head(m.final_norm(h))

    @torch.inference_mode()
    def generate(self, prompts, max_new, temperature, rng):
        """Completions (ids, the <eos> included when it stopped) in prompt order."""
        N = len(prompts)
        logits, K, V, kbias, P = self.prefill(prompts, max(len(p) for p in prompts) + max_new)
        restriction = torch.tensor([p[0] if 1 <= p[0] <= 3 else 0 for p in prompts])
        positions = torch.tensor([len(p) for p in prompts])
        out = [[] for _ in range(N)]
        active = list(range(N))  # prompt index of each logical row
        phys = torch.arange(N)  # physical cache row of each logical row
        slot = P
        while True:
            x = (logits.double() + self.vocab.sample_bias[restriction[phys]].double()) / temperature
            lse = torch.logsumexp(x, dim=1, keepdim=True)
            cum = torch.cumsum(torch.exp(x - lse), dim=1)
            u = torch.tensor([rng.uniform() for _ in active], dtype=torch.float64)
            # The first token whose cumulative probability exceeds u (rng.ts draw: u < cum).
            tok = torch.searchsorted(cum, u[:, None], right=True)[:, 0].tolist()
            keep, keep_tok = [], []
            for j, r in enumerate(active):
                t = tok[j]
                if t >= x.shape[1]:  # rounding left the total a hair under 1: the last possible token
                    t = int(torch.nonzero(x[j] > -math.inf)[-1])
                out[r].append(t)
                if t != EOS and len(out[r]) < max_new:
                    keep.append(j)
                    keep_tok.append(t)
            if not keep:
                break
            n = len(keep)
            phys = phys[keep]
            # Pack the rows still generating into physical rows 0..n-1: a row beyond n moves into a
            # freed row (one row copied per finished row), as policy-tiny's decoder does.
            if n < len(active):
                used = set(phys.tolist())
                free = [p for p in range(n) if p not in used]
                for j in range(n):
                    src = int(phys[j])
                    if src >= n:
                        dst = free.pop()
                        for i in range(self.L):
                            K[i][dst] = K[i][src]
                            V[i][dst] = V[i][src]
                        kbias[dst] = kbias[src]
                        positions[dst] = positions[src]
                        restriction[dst] = restriction[src]
                        phys[j] = dst
            active = [active[j] for j in keep]
            tokens = torch.empty(n, dtype=torch.long)
            tokens[phys] = torch.tensor(keep_tok)
            pl = self.decode(tokens, positions[:n], K, V, kbias, n, slot)
            positions[:n] += 1
            slot += 1
            logits = pl[phys]  # logical order
            restriction_view = restriction  # rows are read through phys above
            del restriction_view
        return out


# ---- 2. reward: UME unmasked PLL / temperature (engine/reward/ume-reward.ts, engine/rewards/ume.ts)

class UmeReward:
    def __init__(self, ume, vocab, max_length, temperature=0.1, batch_size=8):
        self.ume = ume
        self.vocab = vocab
        self.max_length = max_length
        self.temperature = temperature
        self.batch_size = batch_size

    def prepare(self, prompt, completion):
        """('ok', modality, encoding) | ('penalty', kind) | ('null', kind)."""
        modality = CLS_MODALITY[prompt[0]]
        stopped = len(completion) > 0 and completion[-1] == EOS
        if not stopped:
            return ("penalty", "unclosed-tag")  # vocab.ts leaves the tag open: extractTagged reports it
        body = list(prompt[1:]) + completion[:-1]
        text = "".join(self.vocab.token_text(i, modality) for i in body)
        if text.strip() == "":
            return ("penalty", "empty-tag")
        if modality == "SMILES":
            mol = Chem.MolFromSmiles(text)
            if mol is None or mol.GetNumAtoms() == 0:
                return ("penalty", "invalid-smiles")
        ids, truncated = self.vocab.encode(text, modality, self.max_length)
        if any(i < 25 for i in ids[1:-1]):
            return ("null", "unk-tokens")  # rewards/ume.ts: UME cannot score it, the reward abstains
        if truncated:
            return ("penalty", "overlong")
        return ("ok", modality, ids)

    @torch.inference_mode()
    def unmasked_pll(self, encodings):
        """Mean log-prob of every token (cls and eos included) in one pass, no masking (pll.ts 'unmasked')."""
        B = len(encodings)
        T = max(len(e) for e in encodings)
        ids = torch.full((B, T), PAD, dtype=torch.long)
        mask = torch.zeros((B, T), dtype=torch.long)
        for b, e in enumerate(encodings):
            ids[b, : len(e)] = torch.tensor(e)
            mask[b, : len(e)] = 1
        hidden = self.ume.encode(ids, mask)
        keep = mask.reshape(-1).bool()
        lp = self.ume.head_logprobs(hidden.reshape(B * T, -1)[keep]).gather(1, ids.reshape(-1)[keep][:, None])[:, 0]
        out, at = [], 0
        for e in encodings:
            out.append(lp[at: at + len(e)].double().mean().item())
            at += len(e)
        return out

    def score(self, prompts, completions):
        prepared = [self.prepare(p, c) for p, c in zip(prompts, completions)]
        rewards = [None] * len(prepared)
        # One modality per scorer call, at most batch_size sequences each (score-sequences.ts).
        for modality in ("SMILES", "amino_acid", "nucleotide"):
            idx = [i for i, p in enumerate(prepared) if p[0] == "ok" and p[1] == modality]
            for s in range(0, len(idx), self.batch_size):
                chunk = idx[s: s + self.batch_size]
                for i, pll in zip(chunk, self.unmasked_pll([prepared[i][2] for i in chunk])):
                    rewards[i] = pll / self.temperature
        valid = [r for r in rewards if r is not None]
        # penalty.ts 'below-worst': 0.5 PLL under the worst valid row, -ln(1280) PLL when none is valid.
        penalty = (min(valid) - 0.5 / self.temperature) if valid else -math.log(1280) / self.temperature
        for i, p in enumerate(prepared):
            if p[0] == "penalty":
                rewards[i] = penalty
        return rewards, [p[1] if p[0] != "ok" else "ok" for p in prepared]


# ---- 3. TRL's advantages and dapo loss, backward, clip, AdamW

def advantages_of(rewards, G):
    """TRL sum_then_normalize, scale_rewards 'group', one reward function: (r - mean_g) / (std_g + 1e-4)."""
    r = torch.tensor([math.nan if x is None else x for x in rewards], dtype=torch.float64).view(-1, G)
    mean = torch.nanmean(r, dim=1, keepdim=True)
    count = (~torch.isnan(r)).sum(dim=1, keepdim=True)
    var = torch.nanmean((r - mean) ** 2, dim=1, keepdim=True) * count / (count - 1)
    std = torch.where(count > 1, var.sqrt(), torch.full_like(var, math.nan))
    return torch.nan_to_num((r - mean) / (std + 1e-4), nan=0.0).view(-1).float()


class Update:
    def __init__(self, model, vocab, tc):
        self.m = model
        self.vocab = vocab
        self.tc = tc
        self.opt = torch.optim.AdamW(model.parameters(), lr=tc["learning_rate"], betas=(tc["adam_beta1"], tc["adam_beta2"]),
                                     eps=tc["adam_epsilon"], weight_decay=tc["weight_decay"])

    def hidden(self, ids):
        m = self.m
        L = ids.shape[1]
        h = m.embed(ids) + m.pos_embed(torch.arange(L))
        bias = torch.triu(torch.full((L, L), MASK_NEG), diagonal=1)
        for layer in m.layers:
            h = layer(h, bias)
        return h

    def step(self, prompts, completions, advantages):
        tc = self.tc
        B = len(prompts)
        L = max(len(p) + len(c) for p, c in zip(prompts, completions))
        T = max(1, max(len(c) for c in completions))
        ids = torch.full((B, L), PAD, dtype=torch.long)
        pos = torch.zeros((B, T), dtype=torch.long)
        mask = torch.zeros((B, T))
        for b, (p, c) in enumerate(zip(prompts, completions)):
            seq = list(p) + list(c)
            ids[b, : len(seq)] = torch.tensor(seq)
            n, P = len(c), len(p)
            pos[b] = torch.tensor([P - 1 + t if t < n else P - 1 for t in range(T)])
            mask[b, :n] = 1.0
        num_items = max(1.0, float(sum(len(c) for c in completions)))  # dapo: active tokens of the generation batch
        rows = torch.arange(B)[:, None]
        targets = ids[rows, pos + 1]
        h = self.hidden(ids)[rows, pos]  # [B, T, d]: only the completion positions go through the head
        logits = self.m.lm_head(self.m.final_norm(h)) / tc["temperature"] + self.vocab.train_bias[ids[:, 0].clamp(max=3) * (ids[:, 0] < 4)][:, None, :]
        logp_all = torch.log_softmax(logits, dim=-1)
        logps = logp_all.gather(-1, targets[..., None])[..., 0]
        with torch.no_grad():
            entropies = -(logp_all.exp() * logp_all).sum(-1)
        eps_lo = tc["epsilon"]
        eps_hi = tc["epsilon_high"] if tc["epsilon_high"] is not None else eps_lo
        A = advantages[:, None]
        coef_1 = torch.exp(logps - logps.detach())  # num_iterations 1: old log-probs are the detached ones
        coef_2 = torch.clamp(coef_1, 1 - eps_lo, 1 + eps_hi)
        per_token_loss = -torch.min(coef_1 * A, coef_2 * A)
        loss = (per_token_loss * mask).sum() / num_items
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(self.m.parameters(), tc["max_grad_norm"])
        self.opt.step()
        with torch.no_grad():  # the metrics TRL logs
            msum = mask.sum().clamp(min=1.0)
            low = ((coef_1 < 1 - eps_lo) & (A < 0)).float()
            high = ((coef_1 > 1 + eps_hi) & (A > 0)).float()
            metrics = {"entropy": ((entropies * mask).sum() / msum).item(), "clip_ratio/low_mean": ((low * mask).sum() / msum).item(),
                       "clip_ratio/high_mean": ((high * mask).sum() / msum).item()}
        return loss.item(), norm.item(), metrics


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--policy", required=True, help="safetensors: policy-tiny's weights in our [in, out] layout")
    ap.add_argument("--policy-config", required=True, help="JSON GptConfig of policy-tiny")
    ap.add_argument("--ume", required=True, help="lobster-named UME safetensors (ume-tiny)")
    ap.add_argument("--ume-config", required=True, help="JSON UmeConfig")
    ap.add_argument("--vocab", required=True, help="JSON {tokens, ranges, smiles_pattern} written by the bench")
    ap.add_argument("--train-config", required=True, help="JSON: the resolved GRPO settings the step uses")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--serve", action="store_true")
    a = ap.parse_args()
    if not a.serve:
        raise SystemExit("grpo_step.py runs as the bench's peer: pass --serve and send commands on stdin")
    torch.set_num_threads(a.threads)
    cfg = json.loads(a.policy_config)
    tc = json.loads(a.train_config)
    if tc["loss_type"] != "dapo" or tc["scale_rewards"] != "group" or tc["beta"] != 0 or tc["num_iterations"] != 1:
        raise ValueError("the peer implements the bench's settings only: loss_type dapo, scale_rewards group, beta 0, num_iterations 1")
    vocab = Vocab(a.vocab)
    w0, _ = load_safetensors(a.policy)
    w0 = {k: v.float() for k, v in w0.items()}
    uw, _ = load_safetensors(a.ume)
    ucfg = json.loads(a.ume_config)
    reward = UmeReward(Ume({k: v.float() for k, v in uw.items()}, ucfg), vocab, ucfg.get("maxLength", 512), tc["ume_temperature"])
    G = tc["num_generations"]

    def fresh():
        model = Gpt(cfg)
        model.load_ours(w0)
        return model, Sampler(model, cfg, vocab), Update(model, vocab, tc)

    model, sampler, update = fresh()
    print(json.dumps({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads(),
                      "blas": os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3")}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            break
        cmd = json.loads(line)
        if cmd["cmd"] == "reset":
            model, sampler, update = fresh()
            print(json.dumps({"ok": True}), flush=True)
            continue
        if cmd["cmd"] != "step":
            raise ValueError(f"unknown command {cmd['cmd']!r}")
        prompts = cmd["prompts"]
        t0, c0 = time.perf_counter(), time.process_time()
        comps = sampler.generate(prompts, cmd["max_new_tokens"], tc["temperature"], Rng(cmd["seed"]))
        t1 = time.perf_counter()
        rewards, kinds = reward.score(prompts, comps)
        adv = advantages_of(rewards, G)
        t2 = time.perf_counter()
        loss, norm, metrics = update.step(prompts, comps, adv)
        t3, c3 = time.perf_counter(), time.process_time()
        print(json.dumps({"ms": (t3 - t0) * 1000, "cpu_ms": (c3 - c0) * 1000, "gen_ms": (t1 - t0) * 1000, "reward_ms": (t2 - t1) * 1000,
                          "update_ms": (t3 - t2) * 1000, "tokens": sum(len(c) for c in comps), "completions": comps,
                          "rewards": rewards, "kinds": kinds, "loss": loss, "grad_norm": norm, "metrics": metrics}), flush=True)


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # a clear one-line reason for the TypeScript side
        import traceback
        traceback.print_exc(file=sys.stderr)
        print(json.dumps({"error": f"{type(e).__name__}: {e}"}), flush=True)
        sys.exit(1)
