#!/usr/bin/env bash
# Install the system packages ravine needs (Debian 12, run as root or with sudo).
# Quick when everything is already present: it checks with dpkg first.
set -euo pipefail

PACKAGES=(
  # pycairo / manimpango build and run
  pkg-config libcairo2-dev libpango1.0-dev python3-dev build-essential
  # LaTeX for MathTex under Manim's default template
  texlive-latex-base texlive-latex-recommended texlive-latex-extra
  texlive-fonts-recommended dvisvgm
  # offline text-to-speech for narration
  espeak-ng
  # headless browser for the gallery tests
  chromium chromium-driver
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup-system: all system packages present" >&2
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "setup-system: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
