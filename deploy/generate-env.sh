#!/usr/bin/env bash
# Writes the .env that docker-compose.yml needs, with fresh random secrets (openssl):
#   deploy/generate-env.sh            → .env beside docker-compose.yml
#   deploy/generate-env.sh PATH       → PATH
# An existing file is kept unless --force is given (new keys would end the sessions and tokens issued under the
# old ones, and POSTGRES_PASSWORD only takes effect when the database volume is first created).
set -euo pipefail

force=0
target=""
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    -h|--help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "unknown option: $arg (use --force or --help)" >&2; exit 2 ;;
    *) target="$arg" ;;
  esac
done
[ -n "$target" ] || target="$(cd "$(dirname "$0")/.." && pwd)/.env"

if [ -e "$target" ] && [ "$force" -ne 1 ]; then
  echo "$target exists; keeping it (run with --force to replace it)" >&2
  exit 1
fi
command -v openssl >/dev/null || { echo "openssl is needed (apt-get install openssl)" >&2; exit 1; }

# A PEM RSA private key (PKCS#8) on one line: newlines written as \n inside double quotes, which Compose expands.
pem() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 2>/dev/null | awk '{ printf "%s\\n", $0 }'; }
# Letters and digits only, so the value needs no quoting in a connection string or a shell.
token() { local s; s="$(openssl rand -base64 $(( $1 * 2 )) | tr -dc 'A-Za-z0-9')"; printf '%s' "${s:0:$1}"; }

umask 077
tmp="$(mktemp "${target}.XXXXXX")"
trap 'rm -f "$tmp"' EXIT
{
  echo "# Written by deploy/generate-env.sh on $(date -u +%Y-%m-%dT%H:%M:%SZ). Secrets: keep this file out of version control."
  echo "POSTGRES_PASSWORD=$(token 32)"
  echo "MCP_REQUEST_STATE_KEY=$(openssl rand -base64 32)"
  echo "DESK_SERVICE_SECRET=$(token 40)"
  echo "MCPCQRS_SIGNING_KEY=\"$(pem)\""
  echo "MCPCQRS_ENCRYPTION_KEY=\"$(pem)\""
  echo "DESK_USER=admin"
  echo "DESK_USER_PASSWORD=$(token 20)"
} > "$tmp"
mv "$tmp" "$target"
trap - EXIT
echo "wrote $target: sign in as 'admin' with DESK_USER_PASSWORD from that file; desk-service's secret is DESK_SERVICE_SECRET"
