#!/usr/bin/env bash
# Undo scripts/install-central.sh: stop and disable the server, remove its units and its
# virtual environment. Idempotent.
#
# Never removed: the database (PostgreSQL is the utility's; a SQLite file lives in
# /var/lib/kiosk-central, kept). /etc/kiosk-central (config and secrets.env, which holds the
# key that seals the kiosks' secrets) is removed only with --purge.
set -euo pipefail
PROG=uninstall-central
# shellcheck source=../systemd/install-lib.sh
. "$(dirname "$0")/../systemd/install-lib.sh"

usage() {
  cat <<'USAGE'
Usage: scripts/uninstall-central.sh [--purge] [--root DIR] [--dry-run] [-v]

  --purge     also remove /etc/kiosk-central (config and secrets.env: back it up first)
  --root DIR  uninstall from DIR instead of /
  --dry-run   print what would be done and change nothing
The database, and /var/lib/kiosk-central, are always kept.
USAGE
}

parse_common "$@"
set -- ${REST[@]+"${REST[@]}"}
PURGE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --purge) PURGE=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option $1" ;;
  esac
done

stop_unit kiosk-central.service
stop_unit kiosk-central-recover.timer
disable_unit kiosk-central.service
before=$CHANGES
remove_path /etc/systemd/system/kiosk-central.service
remove_path /etc/systemd/system/kiosk-central-recover.timer
units_changed=$((CHANGES - before))
remove_path /opt/kiosk-central
if [ "$PURGE" -eq 1 ]; then remove_path /etc/kiosk-central; fi
[ "$units_changed" -eq 0 ] || live systemctl daemon-reload

finish
if [ -e "$ROOT/var/lib/kiosk-central" ] || [ -e "$ROOT/var/lib/private/kiosk-central" ]; then
  say "kept /var/lib/kiosk-central (a SQLite database, if one was used)"
fi
if [ "$PURGE" -eq 0 ] && [ -d "$ROOT/etc/kiosk-central" ]; then
  say "kept /etc/kiosk-central (config and secrets); --purge removes it"
fi
