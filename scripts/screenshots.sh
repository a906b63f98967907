#!/usr/bin/env bash
# `make screenshots`: a PNG of every customer screen in Chinese and English, portrait
# (1080x1920), landscape (1920x1080) and 1024x768, into $SCREENSHOTS_DIR (default screenshots/).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh --for-tests
export QT_QPA_PLATFORM=offscreen
exec .venv/bin/python -m kiosk_demo.screenshots "${SCREENSHOTS_DIR:-screenshots}"
