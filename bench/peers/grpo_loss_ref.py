#!/usr/bin/python3
"""An independent PyTorch (float64) reference of TRL 1.9's GRPO advantages, loss and metrics.

Written from trl/trainer/grpo_trainer.py (_generate_and_score_completions, get_high_entropy_mask,
_compute_loss) and trl/trainer/utils.py (nanstd, nanmin, nanmax) at tag v1.9.0, for one process
(the accelerator's gathers are identities). The gradient of the loss with respect to the
per-token log-probs comes from torch.autograd.

Reads the JSON of `ume-studio grpo-loss` on stdin: one case object, or a list of them (one process
for many cases). Prints the same JSON shape: {loss, grad_logps, advantages, metrics}, or a list.
NaN values are printed as null (JSON has no NaN). Needs Debian's python3-torch (/usr/bin/python3).
"""

import json
import math
import sys

import torch

DTYPE = torch.float64

DEFAULTS = {
    "loss_type": "dapo",
    "scale_rewards": "group",
    "importance_sampling_level": "token",
    "epsilon": 0.2,
    "epsilon_high": None,
    "delta": None,
    "beta": 0.0,
    "num_generations": 8,
    "max_completion_length": 256,
    "top_entropy_quantile": 1.0,
    "sapo_temperature_pos": 1.0,
    "sapo_temperature_neg": 1.05,
    "multi_objective_aggregation": "sum_then_normalize",
    "gradient_accumulation_steps": 1,
    "num_items_in_batch": None,
    "reward_weights": None,
}


# ---- trl/trainer/utils.py

def nanstd(tensor, dim=None, keepdim=False):
    mean = torch.nanmean(tensor, dim=dim, keepdim=True)
    variance = torch.nanmean((tensor - mean) ** 2, dim=dim, keepdim=True)
    count = torch.sum(~torch.isnan(tensor), dim=dim, keepdim=True)
    correction = count / (count - 1)
    correction = torch.where(count > 1, correction, torch.full_like(correction, float("nan")))
    variance = variance * correction
    std = torch.sqrt(variance)
    if keepdim:
        return std
    if dim is None:
        return std.squeeze()
    return std.squeeze(dim)


def nanmin(tensor):
    if torch.isnan(tensor).all():
        return torch.tensor(float("nan"), dtype=tensor.dtype)
    return torch.min(tensor[~torch.isnan(tensor)])


def nanmax(tensor):
    if torch.isnan(tensor).all():
        return torch.tensor(float("nan"), dtype=tensor.dtype)
    return torch.max(tensor[~torch.isnan(tensor)])


# ---- _generate_and_score_completions: rewards -> advantages

def advantages_of(rewards_per_func, weights, cfg):
    """rewards_per_func: [B, funcs] with NaN for None. Returns (advantages, metrics)."""
    num_generations = cfg["num_generations"]
    scale_rewards = cfg["scale_rewards"]
    n_funcs = rewards_per_func.shape[1]
    reward_weights = torch.tensor(weights, dtype=DTYPE)
    unscorable_mask = torch.isnan(rewards_per_func).all(dim=1)

    if cfg["multi_objective_aggregation"] == "sum_then_normalize":
        rewards = (rewards_per_func * reward_weights.unsqueeze(0)).nansum(dim=1)
        rewards[unscorable_mask] = torch.nan
        mean_grouped_rewards = torch.nanmean(rewards.view(-1, num_generations), dim=1)
        mean_grouped_rewards = mean_grouped_rewards.repeat_interleave(num_generations, dim=0)
        if scale_rewards in ["group", "none"]:
            if num_generations > 1:
                std_rewards = nanstd(rewards.view(-1, num_generations), dim=1)
                std_rewards = std_rewards.repeat_interleave(num_generations, dim=0)
            else:
                std_rewards = torch.zeros_like(rewards)
        elif scale_rewards == "batch":
            if rewards.numel() > 1:
                std_rewards = nanstd(rewards).expand_as(rewards)
            else:
                std_rewards = torch.zeros_like(rewards)
        else:
            raise ValueError(scale_rewards)
        advantages = rewards - mean_grouped_rewards
        if scale_rewards != "none":
            advantages = advantages / (std_rewards + 1e-4)
        is_std_zero = torch.isclose(std_rewards, torch.zeros_like(std_rewards))
    else:  # normalize_then_sum
        grouped = rewards_per_func.view(-1, num_generations, n_funcs)
        mean_k = torch.nanmean(grouped, dim=1, keepdim=True)
        std_k = nanstd(grouped, dim=1, keepdim=True) if num_generations > 1 else torch.zeros_like(mean_k)
        reward_k = (grouped - mean_k) / (std_k + 1e-4)
        reward_k = reward_k.view(-1, n_funcs)
        rewards = (reward_k * reward_weights.unsqueeze(0)).nansum(dim=1)
        rewards[unscorable_mask] = torch.nan
        std_rewards = nanstd(rewards).expand_as(rewards) if rewards.numel() > 1 else torch.zeros_like(rewards)
        advantages = (rewards - torch.nanmean(rewards)) / (std_rewards + 1e-4)
        is_std_zero = torch.isclose(std_rewards, torch.zeros_like(std_rewards))

    advantages = torch.nan_to_num(advantages, nan=0.0)

    metrics = {}
    for i, name in enumerate(cfg["_reward_names"]):
        metrics[f"rewards/{name}/mean"] = torch.nanmean(rewards_per_func[:, i]).item()
        metrics[f"rewards/{name}/std"] = nanstd(rewards_per_func[:, i]).item()
    rewards = (rewards_per_func * reward_weights.unsqueeze(0)).nansum(dim=1)
    rewards[unscorable_mask] = torch.nan
    metrics["reward"] = torch.nanmean(rewards).item()
    metrics["reward_std"] = nanstd(rewards).item()
    metrics["frac_reward_zero_std"] = is_std_zero.float().mean().item()
    return advantages, metrics


# ---- get_high_entropy_mask

def get_high_entropy_mask(entropies, mask, threshold):
    local = entropies[mask.bool()].float()
    if local.numel() == 0:
        return torch.zeros_like(entropies, dtype=torch.bool)
    entropy_threshold = torch.quantile(local, threshold)
    masked_entropies = entropies * mask.float()
    entropy_mask = masked_entropies >= entropy_threshold
    return entropy_mask & mask.bool()


# ---- _compute_loss

def compute_loss(per_token_logps, old_per_token_logps, ref_per_token_logps, mask, entropies, advantages, num_items_in_batch, cfg):
    loss_type = cfg["loss_type"]
    epsilon_low = cfg["epsilon"]
    epsilon_high = cfg["epsilon_high"] if cfg["epsilon_high"] is not None else cfg["epsilon"]
    beta = cfg["beta"]
    metrics = {}

    if cfg["top_entropy_quantile"] < 1.0:
        entropy_mask = get_high_entropy_mask(entropies, mask, 1 - cfg["top_entropy_quantile"])
    else:
        entropy_mask = None

    if advantages.dim() == 1:
        advantages = advantages.unsqueeze(1)
    old_per_token_logps = per_token_logps.detach() if old_per_token_logps is None else old_per_token_logps

    log_ratio = per_token_logps - old_per_token_logps
    if cfg["importance_sampling_level"] == "token":
        log_importance_weights = log_ratio
    elif cfg["importance_sampling_level"] == "sequence":
        log_importance_weights = (log_ratio * mask).sum(-1) / mask.sum(-1).clamp(min=1.0)
        log_importance_weights = log_importance_weights.unsqueeze(-1)
    else:
        raise ValueError(cfg["importance_sampling_level"])

    coef_1 = torch.exp(log_importance_weights)

    if beta != 0.0:
        per_token_kl = torch.exp(ref_per_token_logps - per_token_logps) - (ref_per_token_logps - per_token_logps) - 1

    if loss_type == "cispo":
        clamped_ratios = torch.clamp(coef_1, max=epsilon_high).detach()
        per_token_loss = -clamped_ratios * advantages * per_token_logps
    elif loss_type in ["grpo", "bnpo", "dr_grpo", "dapo"]:
        coef_2 = torch.clamp(coef_1, 1 - epsilon_low, 1 + epsilon_high)
        if cfg["delta"] is not None:
            coef_1 = torch.clamp(coef_1, max=cfg["delta"])
        per_token_loss1 = coef_1 * advantages
        per_token_loss2 = coef_2 * advantages
        per_token_loss = -torch.min(per_token_loss1, per_token_loss2)
    elif loss_type == "sapo":
        temperatures = torch.where(advantages > 0, cfg["sapo_temperature_pos"], cfg["sapo_temperature_neg"])
        soft_coef_1 = torch.sigmoid(temperatures * (coef_1 - 1)) * 4 / temperatures
        per_token_loss = -soft_coef_1 * advantages
    else:
        raise ValueError(loss_type)

    if entropy_mask is not None:
        per_token_loss = per_token_loss * entropy_mask
    if beta != 0.0:
        per_token_loss = per_token_loss + beta * per_token_kl

    normalizer = cfg["gradient_accumulation_steps"]  # train mode
    if loss_type in ["grpo", "sapo"]:
        loss = ((per_token_loss * mask).sum(-1) / mask.sum(-1).clamp(min=1.0)).mean() / normalizer
    elif loss_type == "bnpo":
        loss = (per_token_loss * mask).sum() / mask.sum().clamp(min=1.0) / normalizer
    elif loss_type == "dr_grpo":
        loss = (per_token_loss * mask).sum() / (per_token_loss.size(0) * cfg["max_completion_length"]) / normalizer
    else:  # cispo, dapo: one process
        loss = (per_token_loss * mask).sum() / num_items_in_batch.clamp(min=1.0)

    def masked_seq_mean(x):
        if x.shape[1] == 1:
            return x.squeeze(1)
        return (x * mask).sum(-1) / mask.sum(-1)

    def global_masked_mean(x):
        if x.shape[1] == 1:
            local_sum, local_count = x.sum(), torch.tensor(float(x.shape[0]), dtype=DTYPE)
        else:
            local_sum, local_count = (x * mask).sum(), mask.sum().to(DTYPE)
        return (local_sum / local_count.clamp(min=1.0)).item()

    with torch.no_grad():
        if beta != 0.0:
            metrics["kl"] = global_masked_mean(per_token_kl)
        if entropies is not None:
            metrics["entropy"] = global_masked_mean(entropies)
        if loss_type in ["grpo", "bnpo", "dr_grpo", "dapo"]:
            is_low_clipped = (coef_1 < 1 - epsilon_low) & (advantages < 0)
            is_high_clipped = (coef_1 > 1 + epsilon_high) & (advantages > 0)
            is_region_clipped = is_low_clipped | is_high_clipped
            metrics["clip_ratio/low_mean"] = global_masked_mean(is_low_clipped.to(DTYPE))
            metrics["clip_ratio/high_mean"] = global_masked_mean(is_high_clipped.to(DTYPE))
            metrics["clip_ratio/region_mean"] = global_masked_mean(is_region_clipped.to(DTYPE))
            metrics["clip_ratio/low_min"] = nanmin(masked_seq_mean(is_low_clipped.to(DTYPE))).item()
            metrics["clip_ratio/high_max"] = nanmax(masked_seq_mean(is_high_clipped.to(DTYPE))).item()
        elif loss_type == "cispo":
            is_cispo_clipped = (coef_1 > epsilon_high) & (advantages > 0)
            metrics["cispo_clip_ratio"] = global_masked_mean(is_cispo_clipped.to(DTYPE))
    return loss, metrics


def tensor(rows):
    return torch.tensor(rows, dtype=DTYPE) if rows is not None else None


def clean(x):
    if isinstance(x, float) and not math.isfinite(x):
        return None
    if isinstance(x, list):
        return [clean(v) for v in x]
    if isinstance(x, dict):
        return {k: clean(v) for k, v in x.items()}
    return x


def run_case(case):
    cfg = dict(DEFAULTS)
    cfg.update(case.get("config") or {})
    adv_metrics = {}
    rewards = case.get("rewards")
    if rewards is not None:
        per_func = rewards if isinstance(rewards[0], list) else [rewards]
        cfg["_reward_names"] = case.get("reward_names") or (["reward"] if len(per_func) == 1 else [f"reward_{k}" for k in range(len(per_func))])
        weights = cfg["reward_weights"] or [1.0] * len(per_func)
        rewards_per_func = torch.tensor([[float("nan") if r is None else float(r) for r in row] for row in per_func], dtype=DTYPE).T.contiguous()
        advantages, adv_metrics = advantages_of(rewards_per_func, weights, cfg)
    if case.get("advantages") is not None:  # given as they are (e.g. a TRL run's)
        advantages = tensor(case["advantages"])

    logps = tensor(case["logps"]).requires_grad_(True)
    mask = tensor(case["mask"])
    nitems = cfg["num_items_in_batch"]
    num_items_in_batch = torch.tensor(float(nitems), dtype=DTYPE) if nitems is not None else mask.sum()
    loss, loss_metrics = compute_loss(
        logps, tensor(case.get("old_logps")), tensor(case.get("ref_logps")), mask, tensor(case.get("entropies")), advantages, num_items_in_batch, cfg
    )
    loss.backward()
    metrics = {**loss_metrics, **adv_metrics}
    return clean({"loss": loss.item(), "grad_logps": logps.grad.tolist(), "advantages": advantages.tolist(), "metrics": metrics})


def main():
    data = json.load(sys.stdin)
    out = [run_case(c) for c in data] if isinstance(data, list) else run_case(data)
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
