#!/usr/bin/env bash
# Render the default lesson video into out/ (installs what is missing first).
# Extra arguments go to `ravine lesson`, e.g. `bash scripts/lesson.sh --quality low`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-system.sh
bash scripts/setup-venv.sh
exec .venv/bin/ravine lesson --out out "$@"  # one render process per CPU (at most 8)
