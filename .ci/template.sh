#!/usr/bin/env bash
# The `dotnet new mcpcqrs` template, end to end, as a newcomer meets it: installs McpCqrs.Templates from
# <packages-dir> (the output of `dotnet pack McpCqrs.sln`) into a temporary DOTNET_CLI_HOME and creates solutions
# with --mcpcqrsVersion set to the packed engine's version. They restore into a temporary NUGET_PACKAGES from a
# nuget.config that takes McpCqrs.* only from <packages-dir> and everything else from nuget.org (so nothing of this
# repository's build is used, and no McpCqrs package of the feed can stand in for the packed one).
#   1. the default solution (SQLite, AllowAny): build, tests (TRX files into $TRX_DIR when set), `dotnet run` in
#      Development, and its tool called over MCP with curl;
#   2. --database PostgreSQL --auth OpenIddict: build; tests only when MCPCQRS_TEST_POSTGRES is set;
#   3. --auth External: build, tests, and a start: the external authority is contacted only when a token is checked,
#      so it starts without one; its protected resource metadata and the 401 of a call without a token are checked.
# No build servers are started (--disable-build-servers): none outlives the temporary DOTNET_CLI_HOME.
# Exits non-zero, saying what failed, on any failure.
set -euo pipefail

packages=${1:?usage: template.sh <packages-dir>}
packages=$(cd "$packages" && pwd)
shopt -s nullglob
template_pkgs=("$packages"/McpCqrs.Templates.*.nupkg)
shopt -u nullglob
[ ${#template_pkgs[@]} -eq 1 ] || { echo "template.sh: expected one McpCqrs.Templates.*.nupkg in $packages, found ${#template_pkgs[@]}" >&2; exit 1; }
# The engine's version, from the packed McpCqrs.Mcp.<version>.nupkg (a version starts with a digit, so
# McpCqrs.Mcp.AspNetCore.* does not match).
mcpcqrs_version=$(find "$packages" -maxdepth 1 -name 'McpCqrs.Mcp.*.nupkg' -printf '%f\n' \
  | sed -n 's/^McpCqrs\.Mcp\.\([0-9][^/]*\)\.nupkg$/\1/p' | sort -V | tail -n 1)
[ -n "$mcpcqrs_version" ] || { echo "template.sh: no McpCqrs.Mcp.<version>.nupkg in $packages" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/mcpcqrs-template.XXXXXX")
app_pgid=""

# Stops the app started by start_app: TERM to its process group (`dotnet run` and the app under it), up to 15 s for
# it to exit, then KILL.
stop_app() {
  [ -n "$app_pgid" ] || return 0
  if kill -0 -- "-$app_pgid" 2>/dev/null; then
    kill -TERM -- "-$app_pgid" 2>/dev/null || true
    for _ in $(seq 1 150); do kill -0 -- "-$app_pgid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 -- "-$app_pgid" 2>/dev/null; then
      printf '== template: the app did not exit within 15 s of TERM: KILL\n'
      kill -KILL -- "-$app_pgid" 2>/dev/null || true
    fi
  fi
  wait "$app_pgid" 2>/dev/null || true
  app_pgid=""
}
cleanup() {
  stop_app
  rm -rf "$work"
}
trap cleanup EXIT

log() { printf '== template: %s\n' "$*"; }
fail() { printf 'template.sh: FAILED: %s\n' "$*" >&2; exit 1; }

export DOTNET_CLI_HOME="$work/cli-home"
export NUGET_PACKAGES="$work/nuget-packages"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
mkdir -p "$DOTNET_CLI_HOME" "$NUGET_PACKAGES"

# The packed folder and the usual feed, nothing else (no user or machine feeds, no repository build output); McpCqrs.*
# from the packed folder only (the most specific pattern wins), everything else from the feed.
cat > "$work/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="packed" value="$packages" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />
  </packageSources>
  <packageSourceMapping>
    <packageSource key="packed">
      <package pattern="McpCqrs.*" />
    </packageSource>
    <packageSource key="nuget.org">
      <package pattern="*" />
    </packageSource>
  </packageSourceMapping>
</configuration>
XML

log "dotnet new install $(basename "${template_pkgs[0]}") (engine packages $mcpcqrs_version)"
dotnet new install "${template_pkgs[0]}" >"$work/install.log" 2>&1 || { cat "$work/install.log"; fail "dotnet new install"; }

trx_args=()
[ -n "${TRX_DIR:-}" ] && trx_args=(--logger trx --results-directory "$TRX_DIR")
nobs=(--disable-build-servers)

# new_solution NAME [OPTIONS...]: dotnet new mcpcqrs into $work/NAME, checked for leftovers of the template's names.
new_solution() {
  local name=$1; shift
  log "dotnet new mcpcqrs -o $name $*"
  dotnet new mcpcqrs -o "$work/$name" --mcpcqrsVersion "$mcpcqrs_version" "$@" || fail "dotnet new mcpcqrs -o $name $*"
  [ -f "$work/$name/src/$name.Web/Program.cs" ] || fail "the generated solution has no src/$name.Web/Program.cs"
  if grep -rIl 'McpCqrs\.Starter\|MCPCQRS_VERSION' "$work/$name" >/dev/null; then
    fail "names not replaced in $name: $(grep -rIl 'McpCqrs\.Starter\|MCPCQRS_VERSION' "$work/$name" | head -n 5 | tr '\n' ' ')"
  fi
  [ ! -e "$work/$name/nuget.config" ] || fail "the template must not generate a nuget.config"
}

# build_solution NAME: restore and build; the engine packages restored must be the packed ones.
build_solution() {
  local name=$1
  log "$name: restore"
  (cd "$work/$name" && dotnet restore "${nobs[@]}") || fail "restore of $name"
  grep -q "\"McpCqrs.Mcp/$mcpcqrs_version\"" "$work/$name/src/$name.Web/obj/project.assets.json" \
    || fail "$name did not restore McpCqrs.Mcp $mcpcqrs_version"
  log "$name: build"
  (cd "$work/$name" && dotnet build --no-restore "${nobs[@]}" -nologo -v q) || fail "build of $name"
}

test_solution() {
  local name=$1
  log "$name: test"
  (cd "$work/$name" && dotnet test --no-build "${nobs[@]}" "${trx_args[@]}") || fail "tests of $name"
}

# start_app NAME: `dotnet run` of NAME's web project in Development on a port the system picks (127.0.0.1:0), in its
# own process group (so the app, a child of `dotnet run`, is stopped with it and nothing else is); sets $base from
# the app's "Now listening on:" line.
start_app() {
  local name=$1 runlog="$work/$1.run.log"
  log "$name: dotnet run (127.0.0.1, a free port)"
  ASPNETCORE_ENVIRONMENT=Development setsid dotnet run --no-build --no-launch-profile "${nobs[@]}" \
    --project "$work/$name/src/$name.Web" -- --urls http://127.0.0.1:0 >"$runlog" 2>&1 &
  app_pgid=$!
  base=""
  for _ in $(seq 1 1200); do   # up to 120 s, polled
    base=$(sed -n 's/.*Now listening on: \(http:\/\/127\.0\.0\.1:[0-9][0-9]*\).*/\1/p' "$runlog" | head -n 1)
    [ -n "$base" ] && break
    kill -0 "$app_pgid" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$base" ] || { cat "$runlog"; fail "$name did not start listening"; }
  log "$name: listening at $base"
}

curl_() { curl -sS --max-time 30 "$@"; }

# The JSON-RPC answer in a response body, sent as JSON or as server-sent events: the first message with a result or
# an error. An event without data is none (the priming event that opens a stream has an empty data line).
message() {
  awk '{ sub(/\r$/, "") }
       /^data:/ { sub(/^data: ?/, ""); if ($0 ~ /[^[:space:]]/) print; next }
       /^[{]/ { print }' "$1" | grep -m 1 -E '"(result|error)":' || true
}
# The parser against a stream framed as the engine frames it: retry, priming event, a notification, the answer.
printf 'retry: 1000\n\nid: r1:1\ndata: \n\nid: r1:2\nevent: message\ndata: {"jsonrpc":"2.0","method":"notifications/progress","params":{}}\n\nid: r1:3\nevent: message\ndata: {"jsonrpc":"2.0","id":3,"result":{}}\n\n' >"$work/sse.sample"
[ "$(message "$work/sse.sample")" = '{"jsonrpc":"2.0","id":3,"result":{}}' ] || fail "message() does not read an event stream with a priming event"

# --- 1. the default solution (SQLite, AllowAny): restore, build, test, run, call its tool --------------------------
new_solution Acme.Desk
build_solution Acme.Desk
test_solution Acme.Desk
start_app Acme.Desk

headers=(-H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream')
curl_ -D "$work/init.headers" -o "$work/init.body" "${headers[@]}" "$base/mcp" \
  -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"template.sh","version":"1.0.0"}}}' \
  || fail "initialize: no answer"
session=$(sed -n 's/^[Mm]cp-[Ss]ession-[Ii]d: *\([^[:space:]]*\).*/\1/p' "$work/init.headers" | tr -d '\r')
init=$(message "$work/init.body")
grep -q '"protocolVersion":"2025-11-25"' <<<"$init" || { cat "$work/init.headers" "$work/init.body"; fail "initialize did not answer with protocolVersion 2025-11-25"; }
[ -n "$session" ] || { cat "$work/init.headers"; fail "initialize: no Mcp-Session-Id"; }
log "initialize: session $session"
headers+=(-H "Mcp-Session-Id: $session" -H 'MCP-Protocol-Version: 2025-11-25')

status=$(curl_ -o /dev/null -w '%{http_code}' "${headers[@]}" "$base/mcp" -d '{"jsonrpc":"2.0","method":"notifications/initialized"}') \
  || fail "notifications/initialized: no answer"
[ "$status" = 202 ] || fail "notifications/initialized: HTTP $status (expected 202)"

curl_ -o "$work/list.body" "${headers[@]}" "$base/mcp" -d '{"jsonrpc":"2.0","id":2,"method":"tools/list"}' || fail "tools/list: no answer"
list=$(message "$work/list.body")
grep -q '"name":"create_note"' <<<"$list" || { cat "$work/list.body"; fail "tools/list does not show create_note"; }
log "tools/list: create_note listed"

curl_ -o "$work/call.body" "${headers[@]}" "$base/mcp" \
  -d '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"create_note","arguments":{"title":"Hello from template.sh"}}}' \
  || fail "tools/call: no answer"
call=$(message "$work/call.body")
if ! grep -q '"structuredContent":{[^}]*"title":"Hello from template.sh"' <<<"$call" || grep -q '"isError":true' <<<"$call"; then
  cat "$work/call.body"; fail "tools/call create_note did not succeed"
fi
log "tools/call create_note: $call"
stop_app

# --- 2. PostgreSQL with the embedded authorization server: build (tests only with a server) ----------------------
new_solution Acme.Pg --database PostgreSQL --auth OpenIddict
build_solution Acme.Pg
if [ -n "${MCPCQRS_TEST_POSTGRES:-}" ]; then
  log "Acme.Pg: tests against PostgreSQL at MCPCQRS_TEST_POSTGRES"
  test_solution Acme.Pg
else
  log "Acme.Pg: tests not run (MCPCQRS_TEST_POSTGRES unset)"
fi

# --- 3. an external authorization server: build, test, start (the authority, a placeholder, is never contacted) ----
new_solution Acme.Ext --auth External
grep -q '"ResourceUrl": "http://localhost:5080/mcp"' "$work/Acme.Ext/src/Acme.Ext.Web/appsettings.json" \
  || fail "Acme.Ext: appsettings.json has no Mcp:ResourceUrl"
build_solution Acme.Ext
test_solution Acme.Ext
start_app Acme.Ext
curl_ -o "$work/ext.metadata" "$base/.well-known/oauth-protected-resource/mcp" || fail "Acme.Ext: no protected resource metadata"
grep -q '"resource":"http://localhost:5080/mcp"' "$work/ext.metadata" && grep -q '"authorization_servers":\["https://login.example.com/"\]' "$work/ext.metadata" \
  || { cat "$work/ext.metadata"; fail "Acme.Ext: the metadata does not name Mcp:ResourceUrl and Auth:Authority"; }
status=$(curl_ -o /dev/null -D "$work/ext.headers" -w '%{http_code}' "${headers[@]:0:4}" "$base/mcp" \
  -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"template.sh","version":"1.0.0"}}}') \
  || fail "Acme.Ext: initialize: no answer"
[ "$status" = 401 ] && grep -qi '^WWW-Authenticate: Bearer .*resource_metadata=' "$work/ext.headers" \
  || { cat "$work/ext.headers"; fail "Acme.Ext: a call without a token got HTTP $status (expected 401 with a Bearer challenge)"; }
log "Acme.Ext: started; metadata names the resource and the authority; a call without a token gets 401"
stop_app

log "passed"
