#!/usr/bin/env bash
# Generates the statewide sample with N people and prints people, records and seconds.
# Usage: scripts/bench-generate.sh N [OUT_DIR]   (default OUT_DIR: work/bench-N)
# Runs the CLI (scripts/commonclient generate), which prints the GenerateResult summary:
#   people=... households=... records=... seconds=...  followed by records per source,
#   injected errors per kind and bytes per file.
set -euo pipefail
N="${1:?usage: $0 N [OUT_DIR]}"
OUT="${2:-work/bench-$N}"
HERE="$(cd "$(dirname "$0")" && pwd)"
start=$(date +%s.%N)
"$HERE/commonclient" generate --people "$N" --out "$OUT" | tee "/tmp/bench-generate-$$.log"
end=$(date +%s.%N)
line=$(grep -m1 '^people=' "/tmp/bench-generate-$$.log" || true)
rm -f "/tmp/bench-generate-$$.log"
echo "---"
echo "summary: ${line:-<no GenerateResult line printed>}"
awk -v s="$start" -v e="$end" 'BEGIN { printf "wall seconds (incl. JVM start): %.1f\n", e - s }'
du -sh "$OUT/extracts" "$OUT/truth" 2>/dev/null || true
