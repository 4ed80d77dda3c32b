#!/bin/sh
# Rebuilds fonts/DescentHangul-Regular.ttf and fonts/DescentHangul-Bold.ttf: NanumGothic and NanumGothicBold
# (Debian fonts-nanum) cut down to printable ASCII, the Hangul compatibility jamo and the 2,350 KS X 1001
# syllables, renamed (NanumGothic is an OFL Reserved Font Name). `subset-hangul-font.sh Bold` builds one weight.
# Needs: apt-get install fonts-nanum python3-fonttools
set -eu
fonts="$(dirname "$0")/../fonts"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 - "$tmp/ksx.txt" <<'PY'
import sys
# KS X 1001's Hangul block: EUC-KR rows 0xB0–0xC8, columns 0xA1–0xFE
chars = [bytes([r, c]).decode("euc_kr") for r in range(0xB0, 0xC9) for c in range(0xA1, 0xFF)]
open(sys.argv[1], "w").write("".join(chars))
PY
build() {
  weight="$1"
  case "$weight" in
    Regular) src=/usr/share/fonts/truetype/nanum/NanumGothic.ttf ;;
    Bold) src=/usr/share/fonts/truetype/nanum/NanumGothicBold.ttf ;;
    *) echo "unknown weight $weight (Regular or Bold)" >&2; exit 2 ;;
  esac
  out="$fonts/DescentHangul-$weight.ttf"
  /usr/bin/python3 -m fontTools.subset "$src" --text-file="$tmp/ksx.txt" --unicodes="U+0020-007E,U+3131-318E" \
    --output-file="$tmp/subset.ttf" --no-hinting --desubroutinize --layout-features=''
  /usr/bin/python3 - "$tmp/subset.ttf" "$out" "$weight" <<'PY'
import sys
from fontTools.ttLib import TTFont
font = TTFont(sys.argv[1])
weight = sys.argv[3]
name = font["name"]
for record in list(name.names):
    if record.nameID in (1, 3, 4, 6, 16, 17, 18, 21, 22):
        name.removeNames(nameID=record.nameID)
# the Regular's full name is the family alone, as the first Regular subset was named
full = "Descent Hangul" if weight == "Regular" else f"Descent Hangul {weight}"
for platform, encoding, language in ((3, 1, 0x409), (1, 0, 0)):
    name.setName("Descent Hangul", 1, platform, encoding, language)
    name.setName(weight, 2, platform, encoding, language)
    name.setName(f"Descent Hangul {weight}; subset of NanumGothic", 3, platform, encoding, language)
    name.setName(full, 4, platform, encoding, language)
    name.setName(f"DescentHangul-{weight}", 6, platform, encoding, language)
font.save(sys.argv[2])
PY
  echo "wrote $out"
}
if [ "$#" -eq 0 ]; then set -- Regular Bold; fi
for weight in "$@"; do build "$weight"; done
