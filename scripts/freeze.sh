#!/usr/bin/env bash
# Rewrite constraints.txt from the current virtual environment (versions only, no addresses).
set -euo pipefail
cd "$(dirname "$0")/.."
build=$(grep -E '^(hatchling|editables|trove-classifiers)==' constraints.txt || true)
{
  echo "# Every dependency, direct and transitive, pinned (versions only). Regenerate with"
  echo "# scripts/freeze.sh after changing pyproject.toml."
  echo "# build backend"
  echo "$build"
  echo "# runtime and development"
  .venv/bin/pip freeze --exclude-editable | grep -viE '^(-e|power-kiosk)'
} > constraints.txt.new
mv constraints.txt.new constraints.txt
