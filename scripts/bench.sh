#!/usr/bin/env bash
# Run one benchmark with its extra dependencies installed: bash scripts/bench.sh retrieval [args…]
# (ingest | retrieval | answers | draft; answers and draft take --size 0.5b|1.5b and need that model).
set -euo pipefail
cd "$(dirname "$0")/.."
name="${1:?usage: bash scripts/bench.sh ingest|retrieval|answers|draft [args…]}"
shift
[ -f "bench/bench_$name.py" ] || { echo "bench.sh: no bench/bench_$name.py" >&2; exit 2; }
bash scripts/setup.sh --bench
. .venv/bin/activate
exec python "bench/bench_$name.py" "$@"
