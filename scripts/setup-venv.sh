#!/usr/bin/env bash
# Create .venv and install ravine (editable) with its test extra.
# Quick when nothing changed: a stamp records the hash of pyproject.toml it was installed from.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"
stamp=".venv/.ravine-installed"
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"

if [ ! -x .venv/bin/python ]; then
  echo "setup-venv: creating .venv with $PYTHON" >&2
  "$PYTHON" -m venv .venv
fi
# find_spec locates the packages without importing them (importing Manim alone takes a second)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && .venv/bin/python -c \
    "import importlib.util as u, sys; sys.exit(any(u.find_spec(m) is None for m in ('engine', 'scenes', 'ravine', 'manim')))" \
    2>/dev/null; then
  echo "setup-venv: .venv is up to date" >&2
  exit 0
fi
echo "setup-venv: installing ravine and its test extra into .venv" >&2
.venv/bin/python -m pip install --quiet --upgrade pip >&2
.venv/bin/python -m pip install --quiet -e ".[test]" >&2
echo "$want" > "$stamp"
