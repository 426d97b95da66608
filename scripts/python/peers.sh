#!/usr/bin/env bash
# Makes .venv-peers/ (gitignored): a Python virtual environment with the peers the quality benchmark, the benchmarks
# and the system checks compare against (scripts/python/requirements-peers.txt). Needs python3 with venv (Debian:
# python3-venv) and PyPI. Idempotent: a second run only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
PYTHON="${MRM_BASE_PYTHON:-python3}"
if [ ! -x .venv-peers/bin/python ]; then
  "$PYTHON" -m venv .venv-peers
fi
.venv-peers/bin/python -m pip install -q --upgrade pip
.venv-peers/bin/python -m pip install -q -r scripts/python/requirements-peers.txt
echo "peers ready: $(pwd)/.venv-peers/bin/python"
