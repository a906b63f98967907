#!/usr/bin/env bash
# The README's test command: set up (scripts/bootstrap.sh), then run the whole test suite.
# Extra arguments go to pytest (e.g. scripts/test.sh tests/kiosk -k money).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh --for-tests
export QT_QPA_PLATFORM=offscreen
exec .venv/bin/python -m pytest "$@"
