#!/usr/bin/env bash
# Turn a Debian 12 machine into a payment kiosk, or bring an installed one up to date.
# Idempotent: a second run changes nothing and says "nothing to do". docs/deployment.md
# walks a technician through it.
set -euo pipefail
PROG=install-kiosk
# shellcheck source=../systemd/install-lib.sh
. "$(dirname "$0")/../systemd/install-lib.sh"

usage() {
  cat <<'EOF'
Usage: scripts/install-kiosk.sh [options]

Installs the kiosk: the kiosk user (groups dialout, video, render), the package in its own
virtual environment (/opt/kiosk/venv), kiosk.service and its recovery timer, the udev names
/dev/kiosk-cash and /dev/kiosk-printer, /etc/kiosk/kiosk.toml from the site example, the
console lockdown (getty/autovt and Ctrl+Alt+Del masked, SysRq off, no text consoles) and the
journal size bounds; then enables the kiosk. Run as root. Reboot afterwards.

The kiosk's secret lives in /var/lib/kiosk/secret (the kiosk user's, mode 0600). Without
--secret-file the kiosk starts unpaired, out of service, and a technician pairs it: on the
maintenance screen, or `kiosk pair URL CODE` with a code from `kiosk-central pair-code`.
An /etc/kiosk/secret from an earlier release is moved there.

  --kiosk-id ID             kiosk.id for a new /etc/kiosk/kiosk.toml (as registered on the
                            central server with `kiosk-central add-kiosk ID`)
  --central-url URL         central.url for a new /etc/kiosk/kiosk.toml
  --secret-file FILE        install the kiosk's secret (printed once by add-kiosk) as
                            /var/lib/kiosk/secret, mode 0600; FILE may be /dev/stdin
                            (or leave it out and pair the kiosk instead)
  --cash-usb VID:PID[:SERIAL]     USB ids of the cash acceptor's serial adapter (udevadm info)
  --printer-usb VID:PID[:SERIAL]  USB ids of the printer's serial adapter
  --allow-power             let the maintenance screen reboot / power off (polkit rule)
  --no-allow-power          remove that permission
  --python PATH             the Python for the virtual environment (default /usr/bin/python3)
  --skip-venv               do not create or update /opt/kiosk/venv (tests, image builds)
  --skip-packages           do not check or install Debian packages
  --root DIR                install into DIR instead of / (tests, image builds): no apt-get,
                            no daemon-reload; users and units are set up inside DIR
  --dry-run                 print what would be done and change nothing
  -v, --verbose             also list what is already in place
EOF
}

parse_common "$@"
set -- ${REST[@]+"${REST[@]}"}

KIOSK_ID="" CENTRAL_URL="" SECRET_FILE="" CASH_USB="" PRINTER_USB="" POWER=""
PYTHON=/usr/bin/python3 SKIP_VENV=0 SKIP_PACKAGES=0
while [ $# -gt 0 ]; do
  case "$1" in
    --kiosk-id) KIOSK_ID=${2:?--kiosk-id needs a value}; shift 2 ;;
    --central-url) CENTRAL_URL=${2:?--central-url needs a value}; shift 2 ;;
    --secret-file) SECRET_FILE=${2:?--secret-file needs a file}; shift 2 ;;
    --cash-usb) CASH_USB=${2:?--cash-usb needs VID:PID[:SERIAL]}; shift 2 ;;
    --printer-usb) PRINTER_USB=${2:?--printer-usb needs VID:PID[:SERIAL]}; shift 2 ;;
    --allow-power) POWER=allow; shift ;;
    --no-allow-power) POWER=deny; shift ;;
    --python) PYTHON=${2:?--python needs a path}; shift 2 ;;
    --skip-venv) SKIP_VENV=1; shift ;;
    --skip-packages) SKIP_PACKAGES=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option $1" ;;
  esac
done

if [ -n "$KIOSK_ID" ] && ! [[ $KIOSK_ID =~ ^[A-Za-z0-9-]+$ ]]; then
  die "--kiosk-id $KIOSK_ID: letters, digits and '-' only (it prefixes every transaction id)"
fi
if [ -n "$CENTRAL_URL" ] && ! [[ $CENTRAL_URL =~ ^https?://[^[:space:]\"\\]+$ ]]; then
  die "--central-url $CENTRAL_URL: must be an http:// or https:// address"
fi

# Rewrite the rule whose SYMLINK is $1 from a VID:PID[:SERIAL] spec.
udev_rule() {
  local name=$1 spec=$2 vid pid serial rest line
  IFS=: read -r vid pid serial rest <<<"$spec"
  [[ ${vid,,} =~ ^[0-9a-f]{4}$ && ${pid,,} =~ ^[0-9a-f]{4}$ && -z $rest ]] ||
    die "--${name#kiosk-}-usb $spec: expected VID:PID or VID:PID:SERIAL, ids as 4 hex digits (udevadm info shows them)"
  [[ -z $serial || $serial =~ ^[A-Za-z0-9._-]+$ ]] ||
    die "--${name#kiosk-}-usb $spec: the serial number may hold letters, digits, '.', '_' and '-' only"
  line="SUBSYSTEM==\"tty\", ATTRS{idVendor}==\"${vid,,}\", ATTRS{idProduct}==\"${pid,,}\""
  [ -z "$serial" ] || line+=", ATTRS{serial}==\"$serial\""
  line+=", SYMLINK+=\"$name\", GROUP=\"dialout\", MODE=\"0660\""
  printf '%s\n' "$line"
}

for pair in "kiosk-cash=$CASH_USB" "kiosk-printer=$PRINTER_USB"; do
  [ -z "${pair#*=}" ] || udev_rule "${pair%%=*}" "${pair#*=}" >/dev/null
done
# Read the secret now, so that a bad one stops the script before anything changed.
if [ -n "$SECRET_FILE" ]; then
  secret=$(cat -- "$SECRET_FILE") || die "--secret-file $SECRET_FILE: cannot be read"
  secret=${secret%$'\n'}
  [ "${#secret}" -ge 16 ] || die "--secret-file: the secret must be at least 16 characters (as printed by kiosk-central add-kiosk)"
  [[ $secret =~ ^[[:graph:]]+$ ]] || die "--secret-file: the secret must be one line without spaces"
  (umask 077; printf '%s\n' "$secret" > "$WORK/secret")
  unset secret
fi

SD=$REPO/systemd
ETC=/etc/kiosk
VENV=/opt/kiosk/venv
DATA=/var/lib/kiosk      # kiosk.service's StateDirectory
SECRET=$DATA/secret      # kiosk.toml's central.secret_file default: <kiosk.data_dir>/secret
OLD_SECRET=$ETC/secret   # earlier releases: root's, read by the unit's LoadCredential= (dropped)

# ---- Debian packages: the compositor, the seat daemon, Qt's runtime libraries, a CJK font.
if [ "$SKIP_PACKAGES" -eq 0 ]; then
  ensure_packages cage seatd python3-venv fonts-wqy-microhei \
    libwayland-client0 libwayland-cursor0 libwayland-egl1 libxkbcommon0 \
    libegl1 libgl1 libfontconfig1 libglib2.0-0 libdbus-1-3
fi

# ---- The kiosk user (no password, no shell) and its groups.
put_file "$SD/sysusers.d/kiosk.conf" /etc/sysusers.d/kiosk.conf 0644
apply_sysusers "$SD/sysusers.d/kiosk.conf"

# ---- The package in its own virtual environment.
if [ "$SKIP_VENV" -eq 1 ]; then
  say "skip (--skip-venv): $VENV"
else
  ensure_venv "$VENV" "$PYTHON"
fi
put_file "$REPO/docs/deployment.md" /opt/kiosk/docs/deployment.md 0644

# ---- Units, udev names, drop-ins.
before=$CHANGES
put_file "$SD/kiosk.service" /etc/systemd/system/kiosk.service 0644
put_file "$SD/kiosk-recover.timer" /etc/systemd/system/kiosk-recover.timer 0644
units_changed=$((CHANGES - before))

RULES=/etc/udev/rules.d/70-kiosk-devices.rules
before=$CHANGES
if [ -n "$CASH_USB$PRINTER_USB" ]; then
  rules=$WORK/rules
  if [ -f "$ROOT$RULES" ]; then cp "$ROOT$RULES" "$rules"; else cp "$SD/udev/70-kiosk-devices.rules" "$rules"; fi
  for pair in "kiosk-cash=$CASH_USB" "kiosk-printer=$PRINTER_USB"; do
    name=${pair%%=*} spec=${pair#*=}
    [ -n "$spec" ] || continue
    new=$(udev_rule "$name" "$spec")
    awk -v name="$name" -v new="$new" '
      index($0, "SYMLINK+=\"" name "\"") && $0 !~ /^[[:space:]]*#/ { if (!done) print new; done = 1; next }
      { print }
      END { if (!done) print new }' "$rules" > "$rules.tmp"
    mv "$rules.tmp" "$rules"
  done
  put_file "$rules" "$RULES" 0644
else
  put_file_once "$SD/udev/70-kiosk-devices.rules" "$RULES" 0644
fi
if grep -q 'EXAMPLE-' "$ROOT$RULES" 2>/dev/null ||
   { [ ! -e "$ROOT$RULES" ] && [ -z "$CASH_USB$PRINTER_USB" ]; }; then
  warn "$RULES still holds the example USB ids: pass --cash-usb and --printer-usb (docs/deployment.md, 'USB ids')"
fi
udev_changed=$((CHANGES - before))

before=$CHANGES
put_file "$SD/modules-load.d/kiosk.conf" /etc/modules-load.d/kiosk.conf 0644
modules_changed=$((CHANGES - before))
before=$CHANGES
put_file "$SD/journald.conf.d/60-kiosk.conf" /etc/systemd/journald.conf.d/60-kiosk.conf 0644
journald_changed=$((CHANGES - before))
put_file "$SD/tmpfiles.d/kiosk.conf" /etc/tmpfiles.d/kiosk.conf 0644

# ---- Console lockdown.
put_file "$SD/logind.conf.d/60-kiosk.conf" /etc/systemd/logind.conf.d/60-kiosk.conf 0644
before=$CHANGES
put_file "$SD/sysctl.d/60-kiosk.conf" /etc/sysctl.d/60-kiosk.conf 0644
sysctl_changed=$((CHANGES - before))
# autovt@ first: once getty@ is masked, autovt@ (its alias) reads as masked already.
mask_unit autovt@.service
mask_unit getty@.service
mask_unit console-getty.service
mask_unit ctrl-alt-del.target
set_default_target graphical.target
for dropin in "$ROOT"/etc/systemd/system/*getty*.service.d/*.conf; do
  if grep -q -- '--autologin' "$dropin"; then
    warn "${dropin#"$ROOT"} starts an auto-login shell; remove it (its getty is masked now)"
  fi
done
if [ -e "$ROOT/etc/systemd/system/display-manager.service" ]; then
  warn "a display manager is enabled; it competes with the kiosk for the screen: systemctl disable display-manager.service"
fi

POLKIT=/etc/polkit-1/rules.d/50-kiosk-power.rules
case "$POWER" in
  allow) put_file "$SD/polkit/50-kiosk-power.rules" "$POLKIT" 0644 ;;
  deny) remove_path "$POLKIT" ;;
esac

# ---- Configuration and secret.
ensure_dir "$ETC" 0755
config=$WORK/kiosk.toml
awk -v id="$KIOSK_ID" -v url="$CENTRAL_URL" -v power="$POWER" '
  /^\[/ { section = $0 }
  section == "[kiosk]" && id != "" && /^id[[:space:]]*=/ { sub(/"[^"]*"/, "\"" id "\"") }
  section == "[central]" && url != "" && /^url[[:space:]]*=/ { sub(/"[^"]*"/, "\"" url "\"") }
  section == "[maintenance]" && power == "allow" && /^allow_power_actions[[:space:]]*=/ {
    sub(/= *false/, "= true")
  }
  { print }' "$REPO/config/examples/kiosk.site.toml" > "$config"
if [ -e "$ROOT$ETC/kiosk.toml" ] && [ -n "$KIOSK_ID$CENTRAL_URL$POWER" ] && ! cmp -s "$config" "$ROOT$ETC/kiosk.toml"; then
  say "kept the site's $ETC/kiosk.toml; --kiosk-id, --central-url and --allow-power only fill in a new one (edit it by hand: kiosk.id, central.url, maintenance.allow_power_actions)"
fi
put_file_once "$config" "$ETC/kiosk.toml" 0644

# The secret, where the kiosk user reads it and pairing replaces it. A site that hands it
# over by hand as the credential kiosk-secret (a LoadCredential= drop-in) keeps its own file.
ensure_dir "$DATA" 0750 kiosk
dropins=""
for dropin in "$ROOT"/etc/systemd/system/kiosk.service.d/*.conf; do
  if grep -qs '^[[:space:]]*LoadCredential[[:space:]]*=[[:space:]]*kiosk-secret:' "$dropin"; then
    dropins+="${dropin#"$ROOT"} "
  fi
done
if [ -n "$SECRET_FILE" ]; then
  put_file "$WORK/secret" "$SECRET" 0600 kiosk
elif [ -z "$dropins" ] && [ -f "$ROOT$OLD_SECRET" ] && [ ! -e "$ROOT$SECRET" ]; then
  say "moving the secret from $OLD_SECRET to $SECRET (kiosk.service no longer reads $OLD_SECRET)"
  put_file "$ROOT$OLD_SECRET" "$SECRET" 0600 kiosk
  remove_path "$OLD_SECRET"
fi
if [ -z "$dropins" ] && [ -f "$ROOT$OLD_SECRET" ] && [ -f "$ROOT$SECRET" ]; then
  remove_path "$OLD_SECRET"  # a stale second copy, read by nothing any more
fi
if [ -n "$dropins" ]; then
  warn "${dropins% } hands the kiosk its secret as the credential kiosk-secret, which wins over $SECRET: pairing on the maintenance screen is refused while it is there (docs/deployment.md, 'Secrets')"
elif [ ! -e "$ROOT$SECRET" ] && [ "$DRY_RUN" -eq 0 ]; then
  say "the kiosk is not paired yet: it starts out of service until a technician pairs it on the maintenance screen or runs kiosk pair URL CODE (a code from kiosk-central pair-code); or install the secret with --secret-file"
fi

# ---- Enable, and tell the running system.
enable_unit kiosk.service
[ "$units_changed" -eq 0 ] || live systemctl daemon-reload
[ "$udev_changed" -eq 0 ] || { live udevadm control --reload; live udevadm trigger --subsystem-match=tty; }
[ "$modules_changed" -eq 0 ] || live modprobe -a usbserial cdc_acm
[ "$sysctl_changed" -eq 0 ] || live sysctl -q -p /etc/sysctl.d/60-kiosk.conf
[ "$journald_changed" -eq 0 ] || live systemctl restart systemd-journald.service

if [ "$DRY_RUN" -eq 0 ] && [ -x "$ROOT$VENV/bin/kiosk" ]; then
  # With the unit's KIOSK_DATA_DIR: it reads the secret file the kiosk will read (or none).
  KIOSK_DATA_DIR="$ROOT$DATA" "$ROOT$VENV/bin/kiosk" check-config "$ROOT$ETC/kiosk.toml" >/dev/null ||
    warn "$ETC/kiosk.toml does not pass kiosk check-config (the message above names the key)"
fi

finish
if [ "$CHANGES" -gt 0 ] && [ "$DRY_RUN" -eq 0 ] && [ -z "$ROOT" ]; then
  say "reboot to start the kiosk with the console locked down (a running kiosk: systemctl restart kiosk, when no customer is at it)"
fi
