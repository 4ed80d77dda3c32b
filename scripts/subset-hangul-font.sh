#!/bin/sh
# Rebuilds fonts/DescentHangul-Regular.ttf: NanumGothic (Debian fonts-nanum) cut down to printable ASCII, the
# Hangul compatibility jamo and the 2,350 KS X 1001 syllables, renamed (NanumGothic is an OFL Reserved Font Name).
# Needs: apt-get install fonts-nanum python3-fonttools
set -eu
src=/usr/share/fonts/truetype/nanum/NanumGothic.ttf
out="$(dirname "$0")/../fonts/DescentHangul-Regular.ttf"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 - "$tmp/ksx.txt" <<'PY'
import sys
# KS X 1001's Hangul block: EUC-KR rows 0xB0–0xC8, columns 0xA1–0xFE
chars = [bytes([r, c]).decode("euc_kr") for r in range(0xB0, 0xC9) for c in range(0xA1, 0xFF)]
open(sys.argv[1], "w").write("".join(chars))
PY
/usr/bin/python3 -m fontTools.subset "$src" --text-file="$tmp/ksx.txt" --unicodes="U+0020-007E,U+3131-318E" \
  --output-file="$tmp/subset.ttf" --no-hinting --desubroutinize --layout-features=''
/usr/bin/python3 - "$tmp/subset.ttf" "$out" <<'PY'
import sys
from fontTools.ttLib import TTFont
font = TTFont(sys.argv[1])
name = font["name"]
for record in list(name.names):
    if record.nameID in (1, 3, 4, 6, 16, 17, 18, 21, 22):
        name.removeNames(nameID=record.nameID)
for platform, encoding, language in ((3, 1, 0x409), (1, 0, 0)):
    name.setName("Descent Hangul", 1, platform, encoding, language)
    name.setName("Regular", 2, platform, encoding, language)
    name.setName("Descent Hangul Regular; subset of NanumGothic", 3, platform, encoding, language)
    name.setName("Descent Hangul", 4, platform, encoding, language)
    name.setName("DescentHangul-Regular", 6, platform, encoding, language)
font.save(sys.argv[2])
PY
echo "wrote $out"
