#!/usr/bin/env bash
# The research notebooks in notebooks/ over the published (de-identified) tables of a run.
#   scripts/notebooks.sh start [jupyter notebook options]   opens Jupyter on notebooks/
#   scripts/notebooks.sh run                                 executes every notebook headless into
#                                                            target/notebooks (or NOTEBOOKS_OUT);
#                                                            exits non-zero on any error
# The tables: COMMONCLIENT_TABLES (default work/tables, relative to the repository root), e.g.
# after scripts/run-sample.sh. Kernel: Debian's python3-ipykernel with pandas and matplotlib
# (see README, "Research notebooks"). Install: apt-get install -y jupyter-nbconvert
# jupyter-notebook python3-ipykernel python3-pandas python3-matplotlib
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export COMMONCLIENT_TABLES=${COMMONCLIENT_TABLES:-work/tables}
# Debian's Jupyter and kernel run on Debian's Python, whatever python3 comes first on PATH
export PATH=/usr/bin:$PATH
if ! command -v jupyter >/dev/null || ! jupyter nbconvert --version >/dev/null 2>&1; then
  echo "jupyter nbconvert not found: apt-get install -y jupyter-nbconvert jupyter-notebook python3-ipykernel python3-pandas python3-matplotlib" >&2
  exit 2
fi
cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
  start)
    extra=()
    if [ "$(id -u)" = 0 ]; then
      extra+=(--allow-root)   # the notebook server refuses root without it (containers, CI machines)
    fi
    exec jupyter notebook --notebook-dir="$ROOT/notebooks" "${extra[@]}" "$@"
    ;;
  run)
    OUT=${NOTEBOOKS_OUT:-$ROOT/target/notebooks}
    mkdir -p "$OUT"
    # the kernel's working directory is notebooks/ (the helper module cctables.py lives there)
    export PYDEVD_DISABLE_FILE_VALIDATION=1
    status=0
    start=$(date +%s)
    for nb in "$ROOT"/notebooks/*.ipynb; do
      t0=$(date +%s)
      if jupyter nbconvert --to notebook --execute --ExecutePreprocessor.timeout=600 \
          --ExecutePreprocessor.kernel_name=python3 --output-dir "$OUT" "$nb"; then
        echo "ok   $(basename "$nb") ($(( $(date +%s) - t0 )) s)"
      else
        echo "FAIL $(basename "$nb")" >&2
        status=1
      fi
    done
    echo "notebooks: $(( $(date +%s) - start )) s; executed copies in $OUT; tables $COMMONCLIENT_TABLES"
    exit $status
    ;;
  *)
    echo "usage: scripts/notebooks.sh start|run" >&2
    exit 2
    ;;
esac
