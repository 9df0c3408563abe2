#!/usr/bin/python3
"""Loads tensors UME Studio saved (a run's policy.safetensors) the way transformers and peft would,
into the independent PyTorch reference of bench/peers/hf_reference.py, and returns per-token
log-probs and entropies of given sequences (float64), for test/training/hf-train.test.ts.

JSON on stdin: {"base": model folder, "weights": safetensors file, "adapter_config": null | file,
"sequences": [[ids]]}.
- Without adapter_config the file must hold exactly the base folder's tensor names with the same
  shapes (transformers' strict state-dict load), and replaces the base weights.
- With adapter_config (peft's adapter_config.json) the file must hold peft's saved adapter names,
  base_model.model.<module>.lora_A.weight [r, in] / lora_B.weight [out, r], for every projection of
  every layer named in target_modules; they are merged as peft's merge_and_unload does:
  W + lora_alpha / r * B @ A; with fan_in_fan_out (GPT-2's Conv1D, W [in, out]) A is [r, in] and B
  [out, r] all the same, and the merge is W + lora_alpha / r * (B @ A)^T, as peft's get_delta_weight
  transposes it.
Output: {"sequences": [{"logps": [...], "entropies": [...]}]}, position t predicting ids[t + 1].
"""
import json
import os
import re
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench", "peers"))
from hf_reference import Model, Spec, read_folder, read_safetensors  # noqa: E402


def fail(msg):
    raise SystemExit(msg)


def main():
    req = json.load(sys.stdin)
    cfg = json.load(open(os.path.join(req["base"], "config.json")))
    spec = Spec(cfg)
    base = read_folder(req["base"])
    saved = read_safetensors(req["weights"])
    if req.get("adapter_config") is None:
        if set(saved) != set(base):
            fail(f"state dict names differ: missing {sorted(set(base) - set(saved))[:5]}, unexpected {sorted(set(saved) - set(base))[:5]}")
        for k, v in saved.items():
            if list(v.shape) != list(base[k].shape):
                fail(f"{k}: shape {list(v.shape)}, the model has {list(base[k].shape)}")
        weights = saved
    else:
        ac = json.load(open(req["adapter_config"]))
        if ac.get("peft_type") != "LORA":
            fail(f"adapter_config peft_type {ac.get('peft_type')}")
        r, alpha, targets = ac["r"], ac["lora_alpha"], set(ac["target_modules"])
        fan_in_fan_out = ac.get("fan_in_fan_out", False)
        weights = {k: v.clone() for k, v in base.items()}
        want = {k[: -len(".weight")] for k in base if k.endswith(".weight") and k.split(".")[-2] in targets}
        seen = set()
        for k, v in saved.items():
            m = re.fullmatch(r"base_model\.model\.(.+)\.lora_([AB])\.weight", k)
            if not m or m.group(1) not in want:
                fail(f"{k} is not a peft LoRA weight of a target module")
            seen.add((m.group(1), m.group(2)))
        for mod in want:
            if (mod, "A") not in seen or (mod, "B") not in seen:
                fail(f"{mod} has no lora_A/lora_B")
            W = weights[mod + ".weight"].double()
            A = saved[f"base_model.model.{mod}.lora_A.weight"].double()
            B = saved[f"base_model.model.{mod}.lora_B.weight"].double()
            out_f, in_f = (W.shape[1], W.shape[0]) if fan_in_fan_out else (W.shape[0], W.shape[1])
            if list(A.shape) != [r, in_f] or list(B.shape) != [out_f, r]:
                fail(f"{mod}: A {list(A.shape)}, B {list(B.shape)} for W {list(W.shape)}, r {r}, fan_in_fan_out {fan_in_fan_out}")
            delta = (alpha / r) * (B @ A)
            weights[mod + ".weight"] = W + (delta.T if fan_in_fan_out else delta)
    model = Model(spec, {k: v.double() for k, v in weights.items()}, torch.float64)
    out = []
    with torch.no_grad():
        for seq in req["sequences"]:
            ids = torch.tensor([seq])
            logits, _ = model.forward(ids, torch.arange(len(seq))[None], None)
            lp = torch.log_softmax(logits[0], -1)
            out.append({"logps": [lp[t, seq[t + 1]].item() for t in range(len(seq) - 1)], "entropies": (-(lp.exp() * lp).sum(-1))[:-1].tolist()})
    json.dump({"sequences": out}, sys.stdout)


if __name__ == "__main__":
    main()
