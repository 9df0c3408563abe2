#!/usr/bin/python3
"""Gradients of a Hugging Face model folder's loss by torch autograd through the independent
reference (bench/peers/hf_reference.py), float64, for test/hf/grad-parity.test.ts.

JSON on stdin: {"cases": [{"dir", "ids": [...], "prompt_len": P, "temperature": T, "entropy_coef": c,
"adapters": optional {peft name: {"shape", "data"}}, "scale": lora_alpha / r}]}; with adapters the
gradients are those of the adapters (peft's W + scale * B @ A), else of every weight; with
"dropout_masks" {projection: {"shape": [1, L, in], "data"}} as well, each adapted projection is
computed as peft's lora Linear does with dropout, x W^T + scale * (dropout(x) A^T) B^T, where
dropout(x) = x * mask (the mask already holds 0 or 1 / (1 - p)). GPT-2's Conv1D weights are
[in, out] (x W + b): peft adapts them with fan_in_fan_out, the same A [r, in] and B [out, r], so
the merged weight is W + scale * (B @ A)^T and the dropout branch x W + scale * (x * mask) A^T B^T.
loss = -mean_t log_softmax(logits_t / T)[ids[t + 1]] - c * mean_t entropy_t over the completion
positions t = P-1 .. len(ids)-2. Returns per case {"loss", "grads": {name: flat list}}.
"""
import json
import os
import re
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench", "peers"))
from hf_reference import Model, Spec, read_folder  # noqa: E402


class LoraBranch:
    """Stands for a projection weight in the reference's `x @ w[name].T` (Linear) or `x @ w[name]`
    (Conv1D): an object (Linear: its `.T`) whose right matmul with x computes the base projection
    plus the LoRA branch on the dropped-out input."""

    def __init__(self, w, a, b, scale, mask, conv1d):
        self.T = self
        self.w, self.a, self.b, self.scale, self.mask, self.conv1d = w, a, b, scale, mask, conv1d

    def to(self, _dtype):
        return self  # already float64 (Model converts every weight)

    def __rmatmul__(self, x):
        return (x @ self.w if self.conv1d else x @ self.w.T) + self.scale * ((x * self.mask) @ self.a.T) @ self.b.T


def one(case):
    cfg = json.load(open(os.path.join(case["dir"], "config.json")))
    # Canonical names, as we use them: GPT-2 files without the "transformer." prefix get it; the
    # causal-mask buffers old GPT-2 files carry are no parameters.
    canon = lambda k: "transformer." + k if re.match(r"(wte|wpe|h\.\d+|ln_f)\.", k) else k  # noqa: E731
    leaves = {canon(k): v.double().requires_grad_(True) for k, v in read_folder(case["dir"]).items() if not k.endswith(".attn.bias")}
    weights = leaves
    conv1d = cfg.get("model_type") == "gpt2"
    if case.get("adapters"):
        # LoRA as peft computes it: W x + scale * B A x, i.e. the weight W + scale * B @ A; the
        # gradients asked for are the adapters'.
        adapters = {k: torch.tensor(v["data"], dtype=torch.float64).reshape(v["shape"]).requires_grad_(True) for k, v in case["adapters"].items()}
        weights = dict(leaves)
        for k in adapters:
            m = re.fullmatch(r"base_model\.model\.(.+)\.lora_A\.weight", k)
            if m:
                proj = m.group(1)
                delta = case["scale"] * adapters[f"base_model.model.{proj}.lora_B.weight"] @ adapters[k]
                weights[proj + ".weight"] = leaves[proj + ".weight"] + (delta.T if conv1d else delta)
        masks = {k: torch.tensor(v["data"], dtype=torch.float64).reshape(v["shape"])[:, : len(case["ids"])] for k, v in case.get("dropout_masks", {}).items()}
        for proj, mask in masks.items():
            weights[proj + ".weight"] = LoraBranch(leaves[proj + ".weight"], adapters[f"base_model.model.{proj}.lora_A.weight"], adapters[f"base_model.model.{proj}.lora_B.weight"], case["scale"], mask, conv1d)
        leaves = adapters
    model = Model(Spec(cfg), weights, torch.float64)
    ids = case["ids"]
    P = case["prompt_len"]
    logits, _ = model.forward(torch.tensor([ids]), torch.arange(len(ids))[None], None)
    lp = torch.log_softmax(logits[0] / case["temperature"], -1)
    pos = torch.arange(P - 1, len(ids) - 1)
    logps = lp[pos, torch.tensor(ids[P:])]
    ent = -(lp[pos].exp() * lp[pos]).sum(-1)
    loss = -logps.mean() - case["entropy_coef"] * ent.mean()
    names = list(leaves)
    grads = torch.autograd.grad(loss, [leaves[k] for k in names], allow_unused=True)
    return {"loss": loss.item(), "grads": {k: (g if g is not None else torch.zeros_like(leaves[k])).flatten().tolist() for k, g in zip(names, grads)}}


def main():
    req = json.load(sys.stdin)
    json.dump([one(c) for c in req["cases"]], sys.stdout)


if __name__ == "__main__":
    main()
