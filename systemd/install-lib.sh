# shellcheck shell=bash
# Shared by scripts/install-kiosk.sh, scripts/install-central.sh and their uninstallers:
# idempotent file and unit operations that honour --root DIR and --dry-run.
#
# Every operation first looks at what is there and does nothing when it already matches, so
# a second run reports "nothing to do". Under --root, systemctl and systemd-sysusers work on
# the alternate root (their own --root options); steps that only make sense on a running
# system (daemon-reload, udev trigger, sysctl, apt-get) are printed as "skip (--root)".
# Under --dry-run nothing is written anywhere: each change is printed as "would: ...".

set -euo pipefail
shopt -s nullglob

ROOT=""
DRY_RUN=0
VERBOSE=0
CHANGES=0
PROG=${PROG:-install}
REPO=${REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

say() { printf '%s: %s\n' "$PROG" "$*"; }
warn() { printf '%s: WARNING: %s\n' "$PROG" "$*" >&2; }
die() { printf '%s: error: %s\n' "$PROG" "$*" >&2; exit 2; }
ok() { [ "$VERBOSE" -eq 0 ] || say "ok: $*"; }

# A change: counted, then printed (and, unless --dry-run, the caller makes it).
change() {
  CHANGES=$((CHANGES + 1))
  if [ "$DRY_RUN" -eq 1 ]; then say "would: $*"; else say "+ $*"; fi
}

# Run a command as a change. Under --dry-run it is only printed.
run() {
  change "run: $*"
  [ "$DRY_RUN" -eq 1 ] || "$@"
}

# A step that only a running system can take (not a change of the installed tree).
live() {
  if [ -n "$ROOT" ]; then
    say "skip (--root): $*"
  elif [ "$DRY_RUN" -eq 1 ]; then
    say "would run: $*"
  else
    say "run: $*"
    "$@"
  fi
}

# Common options; the caller's own options come back in REST.
parse_common() {
  REST=()
  while [ $# -gt 0 ]; do
    case "$1" in
      --root) [ $# -ge 2 ] || die "--root needs a directory"; ROOT=${2%/}; shift 2 ;;
      --root=*) ROOT=${1#--root=}; ROOT=${ROOT%/}; shift ;;
      --dry-run) DRY_RUN=1; shift ;;
      -v|--verbose) VERBOSE=1; shift ;;
      *) REST+=("$1"); shift ;;
    esac
  done
  if [ -n "$ROOT" ]; then
    case "$ROOT" in /*) ;; *) ROOT="$PWD/$ROOT" ;; esac
    [ "$ROOT" != "/" ] || ROOT=""
  fi
  if [ -z "$ROOT" ] && [ "$DRY_RUN" -eq 0 ] && [ "$(id -u)" -ne 0 ]; then
    die "run as root (or try --dry-run, or --root DIR to install into a directory)"
  fi
}

# uid:gid of USER in the tree being installed (its own /etc/passwd, as under --root).
_ids_of() {
  awk -F: -v u="$1" '$1 == u { print $3 ":" $4; found = 1; exit } END { exit !found }' \
    "$ROOT/etc/passwd" 2>/dev/null
}

# Owner options for install(1), when we are root (else everything is left to us: tests):
# USER's ids (a system user of the tree, e.g. kiosk), or root's without USER.
_owner() {
  [ "$(id -u)" -eq 0 ] || return 0
  local ids=0:0
  if [ -n "${1:-}" ]; then ids=$(_ids_of "$1") || die "user $1 is missing from $ROOT/etc/passwd"; fi
  echo "-o ${ids%:*} -g ${ids#*:}"
}

# PATH belongs to USER (root without USER); always true when we are not root.
_owned_as() {
  [ "$(id -u)" -eq 0 ] || return 0
  local want=0:0
  if [ -n "${2:-}" ]; then want=$(_ids_of "$2") || return 1; fi
  [ "$(stat -c '%u:%g' "$1")" = "$want" ]
}

_mode_of() { stat -c '%a' "$1"; }

ensure_dir() {  # ensure_dir PATH MODE [USER]: USER owns it (root without USER)
  local target="$ROOT$1" mode=$2 user=${3:-}
  if [ -d "$target" ] && [ "$(_mode_of "$target")" = "${mode#0}" ] && _owned_as "$target" "$user"; then
    ok "$1/"; return 0
  fi
  change "directory $1 (mode $mode${user:+, owner $user})"
  # shellcheck disable=SC2046
  [ "$DRY_RUN" -eq 1 ] || install -d -m "$mode" $(_owner "$user") "$target"
}

# put_file SOURCE PATH MODE [USER]: the file at PATH (under the root) gets SOURCE's content
# and MODE, and USER as owner (root without USER).
put_file() {
  local src=$1 dest="$ROOT$2" mode=$3 user=${4:-}
  if [ -f "$dest" ] && [ ! -L "$dest" ] && cmp -s "$src" "$dest" &&
     [ "$(_mode_of "$dest")" = "${mode#0}" ] && _owned_as "$dest" "$user"; then
    ok "$2"; return 0
  fi
  if [ -e "$dest" ]; then change "update $2 (mode $mode)"; else change "install $2 (mode $mode)"; fi
  [ "$DRY_RUN" -eq 1 ] && return 0
  # A missing parent only: install -d would reset an existing one's mode and owner.
  # shellcheck disable=SC2046
  [ -d "$(dirname "$dest")" ] || install -d -m 0755 $(_owner) "$(dirname "$dest")"
  # Write beside, then rename: a reader never sees half a file.
  # shellcheck disable=SC2046
  install -m "$mode" $(_owner "$user") "$src" "$dest.new.$$"
  mv -f "$dest.new.$$" "$dest"
}

# put_text PATH MODE < content
put_text() {
  local tmp
  tmp=$(mktemp "$WORK/text.XXXXXX")
  cat > "$tmp"
  put_file "$tmp" "$1" "$2"
}

# A site file: installed when missing, never overwritten (the site edits it).
put_file_once() {
  local src=$1 path=$2 mode=$3
  if [ -e "$ROOT$path" ]; then ok "$path (site file, kept)"; return 0; fi
  put_file "$src" "$path" "$mode"
}

remove_path() {  # remove_path PATH: a file, symlink or directory tree under the root
  local target="$ROOT$1"
  if [ ! -e "$target" ] && [ ! -L "$target" ]; then ok "$1 absent"; return 0; fi
  change "remove $1"
  [ "$DRY_RUN" -eq 1 ] || rm -rf -- "$target"
}

# systemctl on the running system, or on the alternate root.
sc() {
  if [ -n "$ROOT" ]; then systemctl --root="$ROOT" "$@"; else systemctl "$@"; fi
}

# A systemctl call that changes something.
run_sc() {
  change "systemctl $*"
  [ "$DRY_RUN" -eq 1 ] || sc "$@"
}

_unit_state() { sc is-enabled "$1" 2>/dev/null || true; }

enable_unit() {
  case "$(_unit_state "$1")" in
    enabled|enabled-runtime|static|alias) ok "$1 enabled" ;;
    *) run_sc enable "$1" ;;
  esac
}

disable_unit() {
  case "$(_unit_state "$1")" in
    enabled|enabled-runtime) run_sc disable "$1" ;;
    *) ok "$1 not enabled" ;;
  esac
}

mask_unit() {
  if [ "$(_unit_state "$1")" = "masked" ]; then ok "$1 masked"; else run_sc mask "$1"; fi
}

unmask_unit() {
  if [ "$(_unit_state "$1")" = "masked" ]; then run_sc unmask "$1"; else ok "$1 not masked"; fi
}

set_default_target() {
  if [ "$(sc get-default 2>/dev/null || true)" = "$1" ]; then ok "default $1"
  else run_sc set-default "$1"; fi
}

# Stop a unit on the running system (never under --root: nothing runs there).
stop_unit() {
  if [ -n "$ROOT" ]; then say "skip (--root): systemctl stop $1"; return 0; fi
  if systemctl is-active --quiet "$1" 2>/dev/null; then run systemctl stop "$1"; else ok "$1 not running"; fi
}

# Users and groups from a sysusers.d file (created only when missing; never changed).
# Whether anything is missing is read from passwd/group directly: systemd-sysusers
# --dry-run always reports rewriting /etc/group when the file has "m" lines.
_sysusers_satisfied() {  # _sysusers_satisfied FILE
  local kind name group rest
  while read -r kind name group rest; do
    case "$kind" in
      u) grep -q "^$name:" "$ROOT/etc/passwd" 2>/dev/null || return 1 ;;
      g) grep -q "^$name:" "$ROOT/etc/group" 2>/dev/null || return 1 ;;
      m) awk -F: -v g="$group" -v u="$name" '
           $1 == g { n = split($4, m, ","); for (i = 1; i <= n; i++) if (m[i] == u) found = 1 }
           END { exit !found }' "$ROOT/etc/group" 2>/dev/null || return 1 ;;
    esac
  done < <(grep -v '^[[:space:]]*\(#\|$\)' "$1")
}

apply_sysusers() {  # apply_sysusers FILE
  if _sysusers_satisfied "$1"; then
    ok "users and groups of $(basename "$1")"
  elif [ -n "$ROOT" ]; then
    run systemd-sysusers --root="$ROOT" "$1"
  else
    run systemd-sysusers "$1"
  fi
}

# Debian packages: installed on a running system when missing; not checked under --root.
ensure_packages() {
  if [ -n "$ROOT" ]; then say "skip (--root): Debian packages $*"; return 0; fi
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' ||
      missing+=("$pkg")
  done
  if [ ${#missing[@]} -eq 0 ]; then ok "Debian packages"; return 0; fi
  change "apt-get install ${missing[*]}"
  [ "$DRY_RUN" -eq 1 ] && return 0
  apt-get update -q  # a fresh system may have no package lists yet
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# What the package in a venv is built from: the source tree and the pinned dependencies.
_source_digest() {
  (
    cd "$REPO"
    find kiosk drivers ui central pyproject.toml README.md constraints.txt -type f \
      ! -path '*/__pycache__/*' ! -name '*.pyc' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
  ) | sha256sum | cut -d' ' -f1
}

# ensure_venv VENV PYTHON: VENV (under the root) holds this checkout's package, installed
# with constraints.txt. Rebuilt only when the source or the pins changed (a stamp records it).
ensure_venv() {
  local venv="$ROOT$1" python=$2 stamp want
  stamp="$venv/.installed-from"
  want=$(_source_digest)
  if [ -x "$venv/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    ok "$1 (package up to date)"; return 0
  fi
  if [ -n "$ROOT" ]; then
    warn "the virtual environment built under --root names $venv in its scripts: it runs only from that path (pass --skip-venv for an image, and build the venv on the machine)"
  fi
  command -v "$python" >/dev/null 2>&1 || [ -x "$python" ] ||
    die "$python not found; install python3 and python3-venv, or pass --python PATH"
  if [ ! -x "$venv/bin/python" ]; then run "$python" -m venv "$venv"; fi
  # The dependencies with pins (also pinning the build backend), then this package itself
  # again without dependencies, so that changed code of the same version is installed.
  change "install the package from $REPO into $1 (pinned by constraints.txt)"
  [ "$DRY_RUN" -eq 1 ] && return 0
  PIP_CONSTRAINT="$REPO/constraints.txt" "$venv/bin/python" -m pip install -q \
    --disable-pip-version-check "$REPO"
  PIP_CONSTRAINT="$REPO/constraints.txt" "$venv/bin/python" -m pip install -q \
    --disable-pip-version-check --no-deps --force-reinstall "$REPO"
  echo "$want" > "$stamp"
}

finish() {  # finish: the summary line that tests and people read
  if [ "$CHANGES" -eq 0 ]; then
    say "nothing to do"
  elif [ "$DRY_RUN" -eq 1 ]; then
    say "dry run: $CHANGES change(s) would be made; nothing was changed"
  else
    say "$CHANGES change(s) made"
  fi
}
