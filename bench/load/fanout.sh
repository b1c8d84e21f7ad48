#!/usr/bin/env bash
# SSE fan-out: starts this host (Release, embedded SQLite, in a temporary folder) with the bench `broadcast` tool,
# opens STREAMS sessions with their GET streams and has COUNT notifications sent to every one of them
# (bench/FanOut), then prints notifications/s delivered. Stops everything it started.
#   bench/load/fanout.sh                  # 100 streams, 1000 notifications each
set -euo pipefail
cd "$(dirname "$0")/../.."
STREAMS=${STREAMS:-100}; COUNT=${COUNT:-1000}; PORT=${PORT:-5194}
work=$(mktemp -d)
dotnet build bench/peers/McpCqrsHost -c Release -v q -nologo >/dev/null
dotnet build bench/FanOut -c Release -v q -nologo >/dev/null
ASPNETCORE_ENVIRONMENT=Production Auth__Backend=AllowAny Auth__AllowAnyOutsideDevelopment=true Mcp__RequestStateKey="$(openssl rand -base64 32)" ConnectionStrings__Default= Database__SqlitePath="$work/bench.db" \
  dotnet bench/peers/McpCqrsHost/bin/Release/net10.0/McpCqrs.Bench.Host.dll --contentRoot "$PWD/src/Mcp.Web" --urls "http://127.0.0.1:$PORT" >"$work/host.log" 2>&1 &
host=$!
trap 'kill $host 2>/dev/null; wait $host 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 60); do curl -fs "http://127.0.0.1:$PORT/health/ready" >/dev/null && break; sleep 0.5; done
# A first run warms the host up; the second is the measurement.
dotnet bench/FanOut/bin/Release/net10.0/McpCqrs.Bench.FanOut.dll "http://127.0.0.1:$PORT/mcp" "$STREAMS" "$COUNT" >/dev/null
dotnet bench/FanOut/bin/Release/net10.0/McpCqrs.Bench.FanOut.dll "http://127.0.0.1:$PORT/mcp" "$STREAMS" "$COUNT"
