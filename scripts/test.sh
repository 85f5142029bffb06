#!/usr/bin/env bash
# Run the test suite (installs what is missing first). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-system.sh
bash scripts/setup-venv.sh
# Compiled modules and pytest's rewritten test modules are cached in __pycache__ (ignored by git):
# with PYTHONDONTWRITEBYTECODE set, every xdist worker and every CLI subprocess compiles them again.
unset PYTHONDONTWRITEBYTECODE
exec .venv/bin/python -m pytest -n 2 "$@"
