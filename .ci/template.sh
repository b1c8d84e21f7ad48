#!/usr/bin/env bash
# The `dotnet new mcpcqrs` template, end to end, as a newcomer meets it: installs McpCqrs.Templates from
# <packages-dir> (the output of `dotnet pack McpCqrs.sln`) into a temporary DOTNET_CLI_HOME, creates a solution
# with the default options, restores it from <packages-dir> plus nuget.org into a temporary NUGET_PACKAGES (so
# nothing of this repository's build is used), builds it, runs its tests (TRX files into $TRX_DIR when set), starts
# it with `dotnet run` in Development and calls its tool over MCP with curl. A second solution with
# `--database PostgreSQL --auth OpenIddict` is built; its tests run only when MCPCQRS_TEST_POSTGRES is set.
# Exits non-zero, saying what failed, on any failure.
set -euo pipefail

packages=${1:?usage: template.sh <packages-dir>}
packages=$(cd "$packages" && pwd)
shopt -s nullglob
template_pkgs=("$packages"/McpCqrs.Templates.*.nupkg)
shopt -u nullglob
[ ${#template_pkgs[@]} -eq 1 ] || { echo "template.sh: expected one McpCqrs.Templates.*.nupkg in $packages, found ${#template_pkgs[@]}" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/mcpcqrs-template.XXXXXX")
app_pgid=""
cleanup() {
  if [ -n "$app_pgid" ] && kill -0 -- "-$app_pgid" 2>/dev/null; then
    kill -TERM -- "-$app_pgid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 -- "-$app_pgid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$app_pgid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

log() { printf '== template: %s\n' "$*"; }
fail() { printf 'template.sh: FAILED: %s\n' "$*" >&2; exit 1; }

export DOTNET_CLI_HOME="$work/cli-home"
export NUGET_PACKAGES="$work/nuget-packages"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
mkdir -p "$DOTNET_CLI_HOME" "$NUGET_PACKAGES"

# The packed folder and the usual feed, nothing else (no user or machine feeds, no repository build output).
cat > "$work/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="packed" value="$packages" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />
  </packageSources>
</configuration>
XML

log "dotnet new install $(basename "${template_pkgs[0]}")"
dotnet new install "${template_pkgs[0]}" >"$work/install.log" 2>&1 || { cat "$work/install.log"; fail "dotnet new install"; }

trx_args=()
[ -n "${TRX_DIR:-}" ] && trx_args=(--logger trx --results-directory "$TRX_DIR")

# --- the default solution (SQLite, AllowAny): restore, build, test, run, call its tool ------------------------------
sln="$work/Acme.Desk"
log "dotnet new mcpcqrs -o Acme.Desk"
dotnet new mcpcqrs -o "$sln" || fail "dotnet new mcpcqrs (default options)"
[ -f "$sln/src/Acme.Desk.Web/Program.cs" ] || fail "the generated solution has no src/Acme.Desk.Web/Program.cs"
if grep -rIl 'McpCqrs\.Starter' "$sln" >/dev/null; then
  fail "names not replaced: $(grep -rIl 'McpCqrs\.Starter' "$sln" | head -n 5 | tr '\n' ' ')"
fi
[ ! -e "$sln/nuget.config" ] || fail "the template must not generate a nuget.config"

(
  cd "$sln"
  log "Acme.Desk: restore"
  dotnet restore || fail "restore of Acme.Desk"
  log "Acme.Desk: build"
  dotnet build --no-restore -nologo -v q || fail "build of Acme.Desk"
  log "Acme.Desk: test"
  dotnet test --no-build "${trx_args[@]}" || fail "tests of Acme.Desk"
)

port=$(( 20000 + RANDOM % 20000 ))
for _ in $(seq 1 20); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || break   # nothing listens: free
  port=$(( 20000 + RANDOM % 20000 ))
done
base="http://127.0.0.1:$port"
log "Acme.Desk: dotnet run at $base"
# Its own process group, so the app (a child of `dotnet run`) is stopped with it and nothing else is.
ASPNETCORE_ENVIRONMENT=Development setsid dotnet run --no-build --project "$sln/src/Acme.Desk.Web" --urls "$base" \
  >"$work/run.log" 2>&1 &
app_pgid=$!

ready=""
for _ in $(seq 1 600); do   # up to 60 s, polled
  if curl -s -o /dev/null "$base/"; then ready=1; break; fi
  kill -0 "$app_pgid" 2>/dev/null || break
  sleep 0.1
done
[ -n "$ready" ] || { cat "$work/run.log"; fail "the app did not start listening at $base"; }

headers=(-H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream')
# The JSON-RPC message in an answer, whether sent as JSON or as a server-sent event.
message() { sed -n 's/^data: //p; /^[{]/p' "$1" | head -n 1; }

curl -s -D "$work/init.headers" -o "$work/init.body" "${headers[@]}" "$base/mcp" \
  -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"template.sh","version":"1.0.0"}}}' \
  || fail "initialize: no answer"
session=$(sed -n 's/^[Mm]cp-[Ss]ession-[Ii]d: *\([^[:space:]]*\).*/\1/p' "$work/init.headers" | tr -d '\r')
init=$(message "$work/init.body")
grep -q '"protocolVersion":"2025-11-25"' <<<"$init" || { cat "$work/init.headers" "$work/init.body"; fail "initialize did not answer with protocolVersion 2025-11-25"; }
[ -n "$session" ] || { cat "$work/init.headers"; fail "initialize: no Mcp-Session-Id"; }
log "initialize: session $session"
headers+=(-H "Mcp-Session-Id: $session" -H 'MCP-Protocol-Version: 2025-11-25')

status=$(curl -s -o /dev/null -w '%{http_code}' "${headers[@]}" "$base/mcp" -d '{"jsonrpc":"2.0","method":"notifications/initialized"}')
[ "$status" = 202 ] || fail "notifications/initialized: HTTP $status (expected 202)"

curl -s -o "$work/list.body" "${headers[@]}" "$base/mcp" -d '{"jsonrpc":"2.0","id":2,"method":"tools/list"}' || fail "tools/list: no answer"
list=$(message "$work/list.body")
grep -q '"name":"create_note"' <<<"$list" || { echo "$list"; fail "tools/list does not show create_note"; }
log "tools/list: create_note listed"

curl -s -o "$work/call.body" "${headers[@]}" "$base/mcp" \
  -d '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"create_note","arguments":{"title":"Hello from template.sh"}}}' \
  || fail "tools/call: no answer"
call=$(message "$work/call.body")
if ! grep -q '"structuredContent":{[^}]*"title":"Hello from template.sh"' <<<"$call" || grep -q '"isError":true' <<<"$call"; then
  echo "$call"; fail "tools/call create_note did not succeed"
fi
log "tools/call create_note: $call"

kill -TERM -- "-$app_pgid" 2>/dev/null || true
for _ in $(seq 1 100); do kill -0 -- "-$app_pgid" 2>/dev/null || break; sleep 0.1; done
app_pgid=""

# --- the PostgreSQL solution with the embedded authorization server: build (tests only with a server) -------------
pg="$work/Acme.Pg"
log "dotnet new mcpcqrs -o Acme.Pg --database PostgreSQL --auth OpenIddict"
dotnet new mcpcqrs -o "$pg" --database PostgreSQL --auth OpenIddict || fail "dotnet new mcpcqrs --database PostgreSQL"
(
  cd "$pg"
  log "Acme.Pg: restore and build"
  dotnet build -nologo -v q || fail "build of Acme.Pg"
  if [ -n "${MCPCQRS_TEST_POSTGRES:-}" ]; then
    log "Acme.Pg: test (PostgreSQL at MCPCQRS_TEST_POSTGRES)"
    dotnet test --no-build "${trx_args[@]}" || fail "tests of Acme.Pg"
  else
    log "Acme.Pg: tests not run (MCPCQRS_TEST_POSTGRES unset)"
  fi
)

log "passed"
