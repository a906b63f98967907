#!/usr/bin/env bash
# Set up a fresh Debian machine for the kiosk: system packages (when root), the virtual
# environment in .venv and the pinned Python packages. Safe to run again: it only does what
# is missing. Usage: scripts/bootstrap.sh [--for-tests]
set -euo pipefail
cd "$(dirname "$0")/.."

for_tests=0
[ "${1:-}" = "--for-tests" ] && for_tests=1

say() { printf 'setup: %s\n' "$*" >&2; }

python=${PYTHON:-}
if [ -z "$python" ]; then
  for candidate in python3.11 python3.12 python3.13 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      python=$candidate; break
    fi
  done
fi
if [ -z "$python" ]; then
  say "Python 3.11 or newer is required: apt-get install python3 (Debian 12 ships 3.11)."
  exit 1
fi

# Debian packages: the venv module, Qt's runtime libraries, a CJK font; Chromium for tests.
wanted=(libegl1 libgl1 libxkbcommon0 libfontconfig1 libglib2.0-0 libdbus-1-3 fontconfig)
# Qt's xcb platform, for the windowed demo under X11 (without them Qt names only xcb-cursor).
wanted+=(libx11-xcb1 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
  libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xfixes0 libxcb-xkb1 libxcb-xinerama0)
# Spoken prompts (kiosk/voice.py): espeak-ng renders them offline, aplay plays them.
wanted+=(espeak-ng alsa-utils)
"$python" -c 'import ensurepip, venv' 2>/dev/null || wanted+=(python3-venv)
fc-list :lang=zh 2>/dev/null | grep -q . || wanted+=(fonts-wqy-microhei)
# Tests also drive a real headless Chromium and check the systemd units with systemd-analyze;
# faketime (libfaketime) runs a kiosk with a wrong clock (tests/reliability/test_clock_faults.py).
[ $for_tests -eq 1 ] && wanted+=(chromium systemd udev faketime)

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for pkg in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' ||
      missing+=("$pkg")
  done
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    say "missing Debian packages: ${missing[*]}"
    say "install them with: sudo apt-get install ${missing[*]}"
    case " ${missing[*]} " in
      *" python3-venv "*) exit 1 ;;
    esac
    case " ${missing[*]} " in
      *" fonts-wqy-microhei "*) say "without a CJK font, Chinese text shows as empty boxes." ;;
    esac
  fi
fi

if [ ! -x .venv/bin/python ]; then
  say "creating .venv with $python"
  "$python" -m venv .venv
fi

# Reinstall only when the dependency pins or the package metadata changed.
stamp=.venv/.installed
want=$(cat constraints.txt pyproject.toml | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  say "installing Python packages (pinned in constraints.txt)"
  export PIP_CONSTRAINT="$PWD/constraints.txt"  # also pins the build backend
  .venv/bin/python -m pip install -q --disable-pip-version-check -e '.[dev]'
  echo "$want" > "$stamp"
fi
