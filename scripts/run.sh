#!/usr/bin/env bash
# The run command from README.md: set up, install the default local model (1.5B) once, load the
# sample reports into the library, and open the UI on http://127.0.0.1:7860 (no API key needed).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --model "${ASSISTANT_LLM_LOCAL_SIZE:-1.5b}"
. .venv/bin/activate
assistant ingest samples/reports || true   # already-ingested files are skipped; failures are listed
assistant reports
exec assistant ui "$@"
