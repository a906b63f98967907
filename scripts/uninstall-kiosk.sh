#!/usr/bin/env bash
# Undo scripts/install-kiosk.sh: stop and disable the kiosk, remove its units, rules,
# drop-ins and virtual environment, and lift the console lockdown. Idempotent.
#
# Never removed: /var/lib/kiosk, the payment journal (the proof of every payment; archive it
# with `kiosk journal export` first, then delete it by hand if you must), and the kiosk user,
# which owns it. /etc/kiosk (the config) and the kiosk's secret (/var/lib/kiosk/secret) are
# removed only with --purge.
set -euo pipefail
PROG=uninstall-kiosk
# shellcheck source=../systemd/install-lib.sh
. "$(dirname "$0")/../systemd/install-lib.sh"

usage() {
  cat <<'EOF'
Usage: scripts/uninstall-kiosk.sh [--purge] [--root DIR] [--dry-run] [-v]

  --purge     also remove /etc/kiosk (the config) and /var/lib/kiosk/secret (the kiosk's
              secret: pair it again after a new install)
  --root DIR  uninstall from DIR instead of /
  --dry-run   print what would be done and change nothing
The payment journal in /var/lib/kiosk and the kiosk user are always kept.
EOF
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

stop_unit kiosk.service
stop_unit kiosk-recover.timer
disable_unit kiosk.service
before=$CHANGES
remove_path /etc/systemd/system/kiosk.service
remove_path /etc/systemd/system/kiosk-recover.timer
units_changed=$((CHANGES - before))

before=$CHANGES
remove_path /etc/udev/rules.d/70-kiosk-devices.rules
udev_changed=$((CHANGES - before))
remove_path /etc/modules-load.d/kiosk.conf
before=$CHANGES
remove_path /etc/systemd/journald.conf.d/60-kiosk.conf
journald_changed=$((CHANGES - before))
remove_path /etc/tmpfiles.d/kiosk.conf
remove_path /etc/polkit-1/rules.d/50-kiosk-power.rules

# Console lockdown lifted (logind's settings take effect at the next boot).
remove_path /etc/systemd/logind.conf.d/60-kiosk.conf
before=$CHANGES
remove_path /etc/sysctl.d/60-kiosk.conf
sysctl_changed=$((CHANGES - before))
unmask_unit getty@.service
unmask_unit autovt@.service
unmask_unit console-getty.service
unmask_unit ctrl-alt-del.target

remove_path /opt/kiosk
# The sysusers.d entry goes; the user stays (it owns the journal in /var/lib/kiosk).
remove_path /etc/sysusers.d/kiosk.conf
if [ "$PURGE" -eq 1 ]; then remove_path /etc/kiosk; remove_path /var/lib/kiosk/secret; fi

[ "$units_changed" -eq 0 ] || live systemctl daemon-reload
[ "$udev_changed" -eq 0 ] || live udevadm control --reload
[ "$sysctl_changed" -eq 0 ] || live sysctl -q --system
[ "$journald_changed" -eq 0 ] || live systemctl restart systemd-journald.service

finish
if [ -d "$ROOT/var/lib/kiosk" ] || [ -L "$ROOT/var/lib/kiosk" ]; then
  say "kept /var/lib/kiosk (the payment journal) and the kiosk user"
fi
if [ "$PURGE" -eq 0 ] && { [ -d "$ROOT/etc/kiosk" ] || [ -e "$ROOT/var/lib/kiosk/secret" ]; }; then
  say "kept /etc/kiosk (the config) and /var/lib/kiosk/secret; --purge removes them"
fi
