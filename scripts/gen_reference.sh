#!/usr/bin/env bash
# Records the project's PyTorch 2.6 fixtures. Needs root and Debian's debootstrap: it builds a Debian 13
# (trixie) chroot with python3-torch 2.6 once (~4 GB, a few minutes), then runs scripts/gen_reference.py in it.
# Usage: bash scripts/gen_reference.sh [chroot-dir]   (default: ../trixie-root beside the repo)
set -euo pipefail
cd "$(dirname "$0")/.."
root="${1:-$(cd .. && pwd)/trixie-root}"
if ! [ -x "$root/usr/bin/python3" ] || ! chroot "$root" python3 -c "import torch" 2>/dev/null; then
  command -v debootstrap >/dev/null || { apt-get update -qq && apt-get install -y -qq debootstrap; }
  [ -d "$root/usr" ] || debootstrap --variant=minbase trixie "$root" http://deb.debian.org/debian
  chroot "$root" apt-get install -y -qq python3-torch python3-numpy
fi
mkdir -p "$root/tmp/descent-gen"
cp scripts/gen_reference.py "$root/tmp/descent-gen/"
chroot "$root" python3 /tmp/descent-gen/gen_reference.py /tmp/descent-gen
cp "$root"/tmp/descent-gen/project_{optimizers,schedulers,sparse_adam}.json test/fixtures/torch/
