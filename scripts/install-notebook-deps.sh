#!/usr/bin/env bash
# Installs what scripts/notebooks.sh needs from Debian's packages, unless already present:
# jupyter nbconvert (headless execution), the classic notebook server (start), the IPython kernel,
# pandas and matplotlib. Needs root (or sudo) and apt; idempotent.
set -euo pipefail
PKGS="jupyter-nbconvert jupyter-notebook python3-ipykernel python3-pandas python3-matplotlib"
if PATH=/usr/bin:$PATH jupyter nbconvert --version >/dev/null 2>&1 \
    && /usr/bin/python3 -c 'import ipykernel, pandas, matplotlib, notebook' >/dev/null 2>&1; then
  echo "notebook dependencies present"
  exit 0
fi
SUDO=
if [ "$(id -u)" != 0 ]; then
  SUDO=sudo
fi
echo "installing notebook dependencies from Debian: $PKGS"
t0=$(date +%s)
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $PKGS >/dev/null
echo "notebook dependencies installed in $(( $(date +%s) - t0 )) s"
