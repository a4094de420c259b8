#!/usr/bin/env bash
# End-to-end link benchmark on the generated statewide data.
# Usage: scripts/bench-link.sh N        (N = person records the link stage reads, e.g. 1000000)
# 1. generates ~N person records into work/bench-link-N (skipped when the extracts and truth
#    already exist; BENCH_REGENERATE=1 forces it). The generator writes ~6.6 extract rows per
#    person, of which ~2.87 are person records (the 7 person sources; the other rows are
#    school facts): people = N / BENCH_RECORDS_PER_PERSON (default 2.87).
# 2. ingests the 7 person sources into work/bench-link-N/tables (not timed; the fact sources
#    are left out, link does not read them; skipped when person_records exists unless
#    BENCH_REINGEST=1),
# 3. runs `link` under /usr/bin/time -v (wall seconds, peak RSS of the JVM) as a first link: the
#    outputs of an earlier run in the directory are removed first (BENCH_KEEP_LINKED=1 keeps
#    them: a rerun),
# 4. evaluates against the generator's truth (pairwise precision/recall/F1),
# and prints records, candidate pairs, pairs/s, seconds per stage and in total, peak memory.
# JVM options: COMMONCLIENT_JAVA_OPTS (default here -Xmx16g). Extra config overrides for the
# link run: BENCH_LINK_ARGS (e.g. "-D commonclient.linkage.scoring.uMaxPairs=200000").
# BENCH_PROFILE=1 records a CPU profile of the link JVM with the JDK Flight Recorder into
# $OUT/link.jfr (read it with `jfr print --events jdk.ExecutionSample`, or JDK Mission Control;
# the log's stage start and end times delimit each stage's samples). It costs 10-25% of the
# time, unevenly (session 15's train stage: 62.4 s with it, 40.7-49.0 s without; Spark's mode
# aggregate looked like a third of publish under it, and replacing it was slower without it):
# confirm any gain it suggests with runs without it, old and new code back to back.
set -euo pipefail
# the body is one function, parsed whole before it runs: editing this file during a run is safe
main() {
N="${1:?usage: $0 N}"
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
OUT="work/bench-link-$N"
RPP="${BENCH_RECORDS_PER_PERSON:-2.87}"
PEOPLE=$(awk -v n="$N" -v r="$RPP" 'BEGIN { printf "%d", n / r + 0.5 }')
export COMMONCLIENT_JAVA_OPTS="${COMMONCLIENT_JAVA_OPTS:--Xmx16g}"
# BENCH_CC: another copy of scripts/commonclient (e.g. a snapshot of the jar, so rebuilding the
# worktree does not disturb a running benchmark)
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

if [ "${BENCH_REGENERATE:-0}" = 1 ] || [ ! -f "$OUT/truth/truth.csv" ]; then
  echo "== generate: $PEOPLE people -> $OUT"
  "$CC" generate --people "$PEOPLE" --out "$OUT" | grep -m1 '^people=' || true
fi
if [ "${BENCH_REINGEST:-0}" = 1 ] || [ ! -d "$OUT/tables/identified/person_records" ]; then
  echo "== ingest (not timed)"
  "$CC" ingest --config "$CONF" > "$OUT/ingest.log" 2> "$OUT/ingest.err" || { tail -30 "$OUT/ingest.err"; exit 1; }
  tail -3 "$OUT/ingest.log"
fi

# every run times the same first link: the previous run's outputs are removed (a rerun against
# them also matches stable ids to the previous crosswalk and overwrites the tables: slower, and
# not what the figures describe). BENCH_KEEP_LINKED=1 keeps them and times a rerun.
if [ "${BENCH_KEEP_LINKED:-0}" != 1 ]; then
  rm -rf "$OUT/tables/linked" "$OUT/tables/identified/record_keys" "$OUT/tables/identified/block_keys"
fi
echo "== link (load before: $(uptime | sed 's/.*load average: //'))"
LINK_JAVA_OPTS="$COMMONCLIENT_JAVA_OPTS"
if [ "${BENCH_PROFILE:-0}" = 1 ]; then
  LINK_JAVA_OPTS="$LINK_JAVA_OPTS -XX:StartFlightRecording=filename=$OUT/link.jfr,settings=profile"
fi
# shellcheck disable=SC2086
COMMONCLIENT_JAVA_OPTS="$LINK_JAVA_OPTS" /usr/bin/time -v -o "$OUT/link.time" "$CC" link --config "$CONF" ${BENCH_LINK_ARGS:-} \
  > "$OUT/link.log" 2> "$OUT/link.err" || { tail -40 "$OUT/link.err"; exit 1; }
LOAD_AFTER=$(uptime | sed 's/.*load average: //')
cat "$OUT/link.log"

echo "== evaluate"
"$CC" evaluate --config "$CONF" --truth "$ROOT/$OUT/truth/truth.csv" > "$OUT/evaluate.log" 2> "$OUT/evaluate.err" \
  || { tail -40 "$OUT/evaluate.err"; exit 1; }
cat "$OUT/evaluate.log"

records=$(sed -n 's/^link [^:]*: \([0-9,]*\) records.*/\1/p' "$OUT/link.log" | tr -d ,)
pairs=$(sed -n 's/.* records, \([0-9,]*\) candidate pairs.*/\1/p' "$OUT/link.log" | tr -d ,)
total=$(sed -n 's/^  total *\([0-9.]*\) s.*/\1/p' "$OUT/link.log")
wall=$(sed -n 's/.*Elapsed (wall clock) time.*: //p' "$OUT/link.time")
rss_kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$OUT/link.time")
echo "== summary (N=$N)"
echo "records          $records"
echo "candidate pairs  $pairs"
awk -v p="$pairs" -v t="$total" 'BEGIN { if (t > 0) printf "pairs/s          %.0f (candidate pairs / link stage seconds)\n", p / t }'
grep '^  stage' "$OUT/link.log" | sed 's/^  //'
echo "link stages      $total s"
echo "wall (JVM)       $wall (incl. JVM and Spark start)"
awk -v k="$rss_kb" 'BEGIN { printf "peak RSS         %.2f GB\n", k / 1048576 }'
echo "CPU (user+sys)   $(awk -F': ' '/User time/ { u = $2 } /System time/ { s = $2 } END { printf "%.0f s", u + s }' "$OUT/link.time")"
echo "heap option      $COMMONCLIENT_JAVA_OPTS"
echo "load average     after link: $LOAD_AFTER"
grep -iE 'f1|precision|recall' "$OUT/evaluate.log" | head -5
}
main "$@"
