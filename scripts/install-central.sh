#!/usr/bin/env bash
# Install the reference central server (kiosk-central) as a systemd service, or bring an
# installed one up to date. Idempotent: a second run changes nothing and says "nothing to
# do". docs/deployment.md, "The central server", explains the steps around it.
set -euo pipefail
PROG=install-central
# shellcheck source=../systemd/install-lib.sh
. "$(dirname "$0")/../systemd/install-lib.sh"

usage() {
  cat <<'EOF'
Usage: scripts/install-central.sh [options]

Installs the package in its own virtual environment (/opt/kiosk-central/venv),
kiosk-central.service (a transient DynamicUser, state in /var/lib/kiosk-central) and its
recovery timer, /etc/kiosk-central/central.toml from the site example and
/etc/kiosk-central/secrets.env (mode 0600, root) with freshly generated receipt and secret
keys; then enables the service. Run as root.

  --public-url URL          server.public_url for a new central.toml (the address printed
                            on receipts for checking them)
  --database-url-file FILE  set CENTRAL_DATABASE_URL in secrets.env from FILE (it may hold a
                            password; FILE may be /dev/stdin)
  --python PATH             the Python for the virtual environment (default /usr/bin/python3)
  --skip-venv               do not create or update the virtual environment
  --skip-packages           do not check or install Debian packages
  --root DIR                install into DIR instead of / (tests, image builds)
  --dry-run                 print what would be done and change nothing
  -v, --verbose             also list what is already in place
EOF
}

parse_common "$@"
set -- ${REST[@]+"${REST[@]}"}

PUBLIC_URL="" DB_URL_FILE="" PYTHON=/usr/bin/python3 SKIP_VENV=0 SKIP_PACKAGES=0
while [ $# -gt 0 ]; do
  case "$1" in
    --public-url) PUBLIC_URL=${2:?--public-url needs a value}; shift 2 ;;
    --database-url-file) DB_URL_FILE=${2:?--database-url-file needs a file}; shift 2 ;;
    --python) PYTHON=${2:?--python needs a path}; shift 2 ;;
    --skip-venv) SKIP_VENV=1; shift ;;
    --skip-packages) SKIP_PACKAGES=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option $1" ;;
  esac
done
if [ -n "$PUBLIC_URL" ] && ! [[ $PUBLIC_URL =~ ^https?://[^[:space:]\"\\]+$ ]]; then
  die "--public-url $PUBLIC_URL: must be an http:// or https:// address"
fi

# Read the database URL now, so that a bad one stops the script before anything changed.
DB_URL=""
if [ -n "$DB_URL_FILE" ]; then
  DB_URL=$(cat -- "$DB_URL_FILE") || die "--database-url-file $DB_URL_FILE: cannot be read"
  DB_URL=${DB_URL%$'\n'}
  [[ $DB_URL =~ ^(postgresql(\+psycopg)?|sqlite)://[^[:space:]\"\'\\]+$ ]] ||
    die "--database-url-file: expected one line postgresql+psycopg://... or sqlite:////var/lib/kiosk-central/central.db (percent-encode special characters in a password)"
fi

SD=$REPO/systemd
ETC=/etc/kiosk-central
VENV=/opt/kiosk-central/venv

[ "$SKIP_PACKAGES" -eq 1 ] || ensure_packages python3-venv

if [ "$SKIP_VENV" -eq 1 ]; then
  say "skip (--skip-venv): $VENV"
else
  ensure_venv "$VENV" "$PYTHON"
fi
put_file "$REPO/docs/deployment.md" /opt/kiosk-central/docs/deployment.md 0644

before=$CHANGES
put_file "$SD/kiosk-central.service" /etc/systemd/system/kiosk-central.service 0644
put_file "$SD/kiosk-central-recover.timer" /etc/systemd/system/kiosk-central-recover.timer 0644
units_changed=$((CHANGES - before))

# ---- Configuration (a site file: written once) and secrets (mode 0600, root only).
ensure_dir "$ETC" 0755
config=$WORK/central.toml
awk -v url="$PUBLIC_URL" '
  /^\[/ { section = $0 }
  section == "[server]" && url != "" && /^public_url[[:space:]]*=/ { sub(/"[^"]*"/, "\"" url "\"") }
  { print }' "$REPO/config/examples/central.site.toml" > "$config"
if [ -e "$ROOT$ETC/central.toml" ] && [ -n "$PUBLIC_URL" ] && ! cmp -s "$config" "$ROOT$ETC/central.toml"; then
  say "kept the site's $ETC/central.toml; --public-url only fills in a new one (edit it by hand)"
fi
put_file_once "$config" "$ETC/central.toml" 0644

new_key() { head -c 32 /dev/urandom | base64 | tr -d '\n=' | tr '+/' '-_'; }

# Start from the installed file: keys that exist are never replaced (a new secret key would
# lock out every registered kiosk); missing ones are generated; the database URL is set only
# from --database-url-file.
SECRETS=$ETC/secrets.env
secrets=$WORK/secrets.env
(
  umask 077
  if [ -f "$ROOT$SECRETS" ]; then
    cp "$ROOT$SECRETS" "$secrets"
  else
    cat > "$secrets" <<'EOF'
# kiosk-central secrets: read by systemd (EnvironmentFile=) as root, never by people.
# Mode 0600, owned by root. Back this file up: CENTRAL_SECRET_KEY cannot be recovered.
EOF
  fi
  if [ -n "$DB_URL" ]; then
    # In place of the old (or the commented) line, so that the file's order stays stable.
    awk -v line="CENTRAL_DATABASE_URL=$DB_URL" '
      /^#?[[:space:]]*CENTRAL_DATABASE_URL=/ { if (!done) print line; done = 1; next }
      { print }
      END { if (!done) print line }' "$secrets" > "$secrets.tmp"
    mv "$secrets.tmp" "$secrets"
  elif ! grep -q 'CENTRAL_DATABASE_URL=' "$secrets"; then
    printf '# CENTRAL_DATABASE_URL=postgresql+psycopg://kiosk_central@db.internal/kiosk_central\n' >> "$secrets"
  fi
  for name in CENTRAL_RECEIPT_KEY CENTRAL_SECRET_KEY; do
    grep -q "^$name=" "$secrets" || printf '%s=%s\n' "$name" "$(new_key)" >> "$secrets"
  done
)
put_file "$secrets" "$SECRETS" 0600
if ! grep -q '^CENTRAL_DATABASE_URL=' "$secrets"; then
  warn "CENTRAL_DATABASE_URL is not set in $SECRETS: the server cannot start. Use --database-url-file"
fi

enable_unit kiosk-central.service
[ "$units_changed" -eq 0 ] || live systemctl daemon-reload

finish
if [ "$CHANGES" -gt 0 ] && [ "$DRY_RUN" -eq 0 ] && [ -z "$ROOT" ]; then
  say "next: create the schema (docs/deployment.md, 'The central server'), then systemctl restart kiosk-central"
fi
