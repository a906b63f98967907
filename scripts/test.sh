#!/usr/bin/env bash
# The README's test command: set up (scripts/bootstrap.sh), then run the whole test suite.
# Extra arguments go to pytest (e.g. scripts/test.sh tests/kiosk -k money).
# Four pytest-xdist workers, even on two cores: most tests wait on ptys, subprocesses and the
# server, not the CPU. --dist loadscope keeps a module's tests (and its module-scoped kiosk,
# emulators and server) on one worker. KIOSK_TEST_WORKERS=0 runs everything in one process.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh --for-tests
export QT_QPA_PLATFORM=offscreen
workers=${KIOSK_TEST_WORKERS:-4}
if [ "$workers" = 0 ]; then
  exec .venv/bin/python -m pytest "$@"
fi
exec .venv/bin/python -m pytest -n "$workers" --dist loadscope "$@"
