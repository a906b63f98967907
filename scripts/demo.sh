#!/usr/bin/env bash
# The README's demo command: set up (scripts/bootstrap.sh), then run `kiosk demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
exec .venv/bin/kiosk demo "$@"
