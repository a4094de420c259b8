#!/usr/bin/env bash
# Incremental link benchmark on the generated statewide data.
# Usage: scripts/bench-incremental.sh N     (N = person records, e.g. 100000)
# 1. generates ~N person records into work/bench-incremental-N and ingests the 7 person sources
#    (not timed; skipped when already there, BENCH_REGENERATE=1 / BENCH_REINGEST=1 force them),
# 2. month 1: a full `link` (timed),
# 3. month 2: `simulate-month` rewrites person_records with 1% new and 1% changed records
#    (BENCH_NEW_BP / BENCH_CHANGED_BP / BENCH_WITHDRAWN_BP in basis points; not timed),
# 4. `link --incremental` (timed),
# and prints both wall times (JVM start included) and both link-stage totals (inside the JVM),
# their ratios (goal: incremental <= 10% of full), and the load average around each run.
# JVM options: COMMONCLIENT_JAVA_OPTS (default here -Xmx8g).
# The tables as they stand before step 4 are kept in $OUT/month2-snapshot; BENCH_MONTH2_ONLY=1
# restores them and runs step 4 alone (to measure a change of the incremental path without
# repeating steps 1-3; the summary then reuses the last full run's figures).
set -euo pipefail
main() {
N="${1:?usage: $0 N}"
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
OUT="work/bench-incremental-$N"
RPP="${BENCH_RECORDS_PER_PERSON:-2.87}"
PEOPLE=$(awk -v n="$N" -v r="$RPP" 'BEGIN { printf "%d", n / r + 0.5 }')
export COMMONCLIENT_JAVA_OPTS="${COMMONCLIENT_JAVA_OPTS:--Xmx8g}"
CC="${BENCH_CC:-$ROOT/scripts/commonclient}"
mkdir -p "$OUT"
CONF="$OUT/bench.conf"
cat > "$CONF" <<CONF
include "$ROOT/conf/local.conf"
include "$ROOT/conf/sources/tanf.conf"
include "$ROOT/conf/sources/snap.conf"
include "$ROOT/conf/sources/wic.conf"
include "$ROOT/conf/sources/medicaid.conf"
include "$ROOT/conf/sources/housing.conf"
include "$ROOT/conf/sources/headstart.conf"
include "$ROOT/conf/sources/school_students.conf"
include "$ROOT/conf/agreements/sample.conf"
commonclient.storage.root = "$ROOT/$OUT/tables"
commonclient.data.extracts = "$ROOT/$OUT/extracts"
CONF

timed() { # name, args...
  local name=$1; shift
  local before after
  before=$(uptime | sed 's/.*load average: //')
  /usr/bin/time -v -o "$OUT/$name.time" "$CC" "$@" --config "$CONF" > "$OUT/$name.log" 2> "$OUT/$name.err" \
    || { tail -40 "$OUT/$name.err"; exit 1; }
  after=$(uptime | sed 's/.*load average: //')
  echo "load $name: before $before; after $after" >> "$OUT/load.txt"
  cat "$OUT/$name.log"
}
wall_s() { sed -n 's/.*Elapsed (wall clock) time.*: //p' "$1" | awk -F: '{ if (NF == 3) print $1 * 3600 + $2 * 60 + $3; else print $1 * 60 + $2 }'; }
cpu_s() { awk -F': ' '/User time/ { u = $2 } /System time/ { s = $2 } END { printf "%.0f", u + s }' "$1"; }
stages_s() { sed -n 's/^  total *\([0-9.]*\) s.*/\1/p' "$1"; }

if [ "${BENCH_MONTH2_ONLY:-0}" = 1 ]; then
  [ -d "$OUT/month2-snapshot" ] && [ -f "$OUT/full.time" ] || { echo "no month-2 snapshot in $OUT: run without BENCH_MONTH2_ONLY first" >&2; exit 1; }
  echo "== month 2 only: tables restored from $OUT/month2-snapshot (full-run figures from the last full run)"
  rm -rf "$OUT/tables"
  cp -a "$OUT/month2-snapshot" "$OUT/tables"
  grep full "$OUT/load.txt" > "$OUT/load.full" || true
  mv "$OUT/load.full" "$OUT/load.txt"
else
  if [ "${BENCH_REGENERATE:-0}" = 1 ] || [ ! -f "$OUT/truth/truth.csv" ]; then
    echo "== generate: $PEOPLE people -> $OUT"
    "$CC" generate --people "$PEOPLE" --out "$OUT" | grep -m1 '^people=' || true
  fi
  # month 1 = the ingested extracts; re-ingest every time so the month-2 rewrite starts from them
  echo "== ingest (not timed)"
  rm -rf "$OUT/tables"
  "$CC" ingest --config "$CONF" > "$OUT/ingest.log" 2> "$OUT/ingest.err" || { tail -30 "$OUT/ingest.err"; exit 1; }
  tail -2 "$OUT/ingest.log"

  : > "$OUT/load.txt"
  echo "== month 1: full link"
  timed full link
  echo "== month 2: ${BENCH_NEW_BP:-100} new, ${BENCH_CHANGED_BP:-100} changed, ${BENCH_WITHDRAWN_BP:-0} withdrawn per 10,000 records (not timed)"
  "$CC" simulate-month --config "$CONF" --new-bp "${BENCH_NEW_BP:-100}" --changed-bp "${BENCH_CHANGED_BP:-100}" \
    --withdrawn-bp "${BENCH_WITHDRAWN_BP:-0}" 2> "$OUT/simulate.err" | grep simulate-month || { tail -30 "$OUT/simulate.err"; exit 1; }
  rm -rf "$OUT/month2-snapshot"
  cp -a "$OUT/tables" "$OUT/month2-snapshot"
fi
echo "== month 2: link --incremental"
timed incremental link --incremental

fw=$(wall_s "$OUT/full.time"); iw=$(wall_s "$OUT/incremental.time")
fs=$(stages_s "$OUT/full.log"); is=$(stages_s "$OUT/incremental.log")
echo "== summary (N=$N)"
printf "full link         wall %8.1f s   link stages %8.1f s   CPU %s s\n" "$fw" "$fs" "$(cpu_s "$OUT/full.time")"
printf "incremental link  wall %8.1f s   link stages %8.1f s   CPU %s s\n" "$iw" "$is" "$(cpu_s "$OUT/incremental.time")"
awk -v a="$iw" -v b="$fw" -v c="$is" -v d="$fs" 'BEGIN { printf "ratio             wall %7.1f%%   link stages %7.1f%%   (goal <= 10%%)\n", 100 * a / b, 100 * c / d }'
cat "$OUT/load.txt"
echo "cores $(nproc); heap option $COMMONCLIENT_JAVA_OPTS"
}
main "$@"
