#!/usr/bin/env bash
# Times the metrics stage on N synthetic linked records (default 1,000,000): writes synthetic
# person_records, fact tables and a crosswalk as Delta under work/bench-metrics (not timed), then
# runs every metric with disclosure control and prints records, persons, seconds per phase and in
# total (wall and JVM CPU seconds), Spark task time per step, and the JVM's peak memory and CPU.
# Usage: scripts/bench-metrics.sh [N] [--reuse]
set -euo pipefail
N="${1:-1000000}"; shift || true
HERE="$(cd "$(dirname "$0")" && pwd)"
export COMMONCLIENT_JAVA_OPTS="${COMMONCLIENT_JAVA_OPTS:--Xmx6g}"
LOG=$(mktemp)
if ! /usr/bin/time -v "$HERE/commonclient" bench-metrics --records "$N" --root "work/bench-metrics-$N" "$@" 2> "$LOG"; then
  # the JVM's error output went to $LOG: show it instead of failing silently
  echo "bench-metrics failed; the errors in its output:" >&2
  grep -m 8 -E "ERROR|Exception|Caused by|Error:" "$LOG" >&2 || tail -n 40 "$LOG" >&2
  rm -f "$LOG"
  exit 1
fi
grep -E "Maximum resident set size|Elapsed \(wall|User time|System time|Percent of CPU" "$LOG" | sed 's/^\s*/jvm /'
rm -f "$LOG"
