#!/usr/bin/env bash
# Records test/fixtures/torch-files/ with both torch versions the tests cover: Debian 12's python3-torch 1.13
# (/usr/bin/python3) and Debian 13's 2.6 in a trixie chroot (built as scripts/gen_reference.sh does).
# Usage: bash scripts/gen_torch_files.sh [chroot-dir]   (default: ../trixie-root beside the repo)
set -euo pipefail
cd "$(dirname "$0")/.."
root="${1:-$(cd .. && pwd)/trixie-root}"
/usr/bin/python3 scripts/gen_torch_files.py test/fixtures/torch-files/1.13
rm -rf "$root/tmp/descent-torch-files"
mkdir -p "$root/tmp/descent-torch-files"
cp scripts/gen_torch_files.py "$root/tmp/descent-torch-files/"
cp -r test/fixtures/torch "$root/tmp/descent-torch-files/reference"
chroot "$root" env DESCENT_TORCH_REFERENCE=/tmp/descent-torch-files/reference python3 /tmp/descent-torch-files/gen_torch_files.py /tmp/descent-torch-files/2.6
mkdir -p test/fixtures/torch-files/2.6
cp "$root"/tmp/descent-torch-files/2.6/*.pt test/fixtures/torch-files/2.6/
