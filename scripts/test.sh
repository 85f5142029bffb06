#!/usr/bin/env bash
# Run the test suite (installs what is missing first). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-system.sh
bash scripts/setup-venv.sh
exec .venv/bin/python -m pytest -n 2 "$@"
