#!/usr/bin/env bash
# Load on /mcp with wrk (Debian package 'wrk'): starts the host (Release, embedded SQLite, in a temporary
# folder), opens one session, and runs each scenario for DURATION with THREADS threads and CONNECTIONS
# connections. Stops everything it started.
#   bench/load/mcp-wrk.sh                 # defaults: 10s, 2 threads, 32 connections
#   DURATION=30s CONNECTIONS=64 bench/load/mcp-wrk.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install wrk" >&2; exit 1; }
DURATION=${DURATION:-10s}; THREADS=${THREADS:-2}; CONNECTIONS=${CONNECTIONS:-32}; PORT=${PORT:-5181}
url="http://127.0.0.1:$PORT/mcp"
data=$(mktemp -d)

dotnet build src/Mcp.Web -c Release -v q -nologo >/dev/null
ASPNETCORE_ENVIRONMENT=Production Auth__Backend=AllowAny Auth__AllowAnyOutsideDevelopment=true Mcp__RequestStateKey="$(openssl rand -base64 32)" Logging__LogLevel__Default=Warning ConnectionStrings__Default= \
  Database__SqlitePath="$data/bench.db" \
  dotnet src/Mcp.Web/bin/Release/net10.0/McpCqrs.Mcp.Web.dll --urls "http://127.0.0.1:$PORT" --contentRoot "$PWD/src/Mcp.Web" >"$data/host.log" 2>&1 &
host=$!
trap 'kill $host 2>/dev/null; wait $host 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 60); do curl -fs "http://127.0.0.1:$PORT/health/ready" >/dev/null && break; sleep 0.5; done

session=$(curl -fs -D - -o /dev/null "$url" -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
  -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"wrk","version":"1"}}}' \
  | tr -d '\r' | awk -F': ' 'tolower($1)=="mcp-session-id"{print $2}')
curl -fs "$url" -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' -H "Mcp-Session-Id: $session" \
  -d '{"jsonrpc":"2.0","method":"notifications/initialized"}' >/dev/null

run() {
  printf '%-28s ' "$1"
  MCP_SESSION=$session MCP_BODY=$2 wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s bench/load/mcp-call.lua "$url" | tail -n 1
}
run "ping" '{"jsonrpc":"2.0","id":1,"method":"ping"}'
run "tools/list" '{"jsonrpc":"2.0","id":1,"method":"tools/list"}'
run "tools/call get_customer" '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_customer","arguments":{"id":1}}}'
