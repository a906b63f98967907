#!/usr/bin/env bash
# ruff, strict mypy on the packages, and the import-linter layer contracts.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check kiosk drivers central ui kiosk_demo tests bench
.venv/bin/mypy
.venv/bin/lint-imports
