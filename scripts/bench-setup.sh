#!/usr/bin/env bash
# `npm run bench:setup`: installs what the benchmarks' peers need, so `npm run bench` prints ratios
# instead of "no peer": Debian's PyTorch with an optimised BLAS (GRPO step, train step, UME PLL, HF
# forwards; the reference BLAS would make every ratio meaningless) and Python RDKit with its data
# (reward components, QED, scaffolds). Then it checks each peer can be imported from /usr/bin/python3.
set -euo pipefail
pkgs=(python3-torch libopenblas0-pthread python3-rdkit rdkit-data)
need=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
if [ ${#need[@]} -gt 0 ]; then
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "bench:setup: installing ${need[*]} needs root; run as root or install sudo" >&2; exit 1; }
    sudo=(sudo)
  fi
  echo "bench:setup: installing ${need[*]} (Debian packages)"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
else
  echo "bench:setup: ${pkgs[*]} already installed"
fi
/usr/bin/python3 - <<'PY'
import os, sys
import torch, rdkit
from rdkit.Chem import QED  # noqa: F401 (the reward peer needs it)
# What libblas.so.3 resolves to is what the peers run on (bench/lib/torch-peer.ts refuses netlib's).
blas = os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3")
print(f"bench:setup: peers ready: PyTorch {torch.__version__}, RDKit {rdkit.__version__}, BLAS {blas}")
if "/blas/libblas.so" in blas:
    sys.exit("bench:setup: libblas.so.3 is the reference (netlib) BLAS; install libopenblas0-pthread")
PY
