#!/usr/bin/env bash
# list_tickets on PostgreSQL, side by side with a hand-written minimal API running the same EF Core query
# (bench/peers/ListPeer): open tickets, most recently updated first, a page of 20 with the total. Creates the
# database BENCH_DATABASE on the server named by MCPCQRS_BENCH_POSTGRES (a Npgsql connection string without a
# database), migrates and seeds it with TICKETS tickets, warms both up, loads each for DURATION with wrk and prints
# requests/s, p50, p99 and our ratio. Stops everything it started and drops the database.
#   MCPCQRS_BENCH_POSTGRES="Host=127.0.0.1;Username=postgres;Password=postgres" bench/load/list-tickets.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install wrk" >&2; exit 1; }
command -v psql >/dev/null || { echo "psql is not installed: apt-get install postgresql-client" >&2; exit 1; }
: "${MCPCQRS_BENCH_POSTGRES:?set MCPCQRS_BENCH_POSTGRES to a PostgreSQL connection string, e.g. Host=127.0.0.1;Username=postgres;Password=postgres}"
WARMUP=${WARMUP:-30s}; DURATION=${DURATION:-10s}; THREADS=${THREADS:-2}; CONNECTIONS=${CONNECTIONS:-32}; TICKETS=${TICKETS:-2000}; BENCH_DATABASE=${BENCH_DATABASE:-mcpcqrs_bench}
server="$MCPCQRS_BENCH_POSTGRES"; database="$server;Database=$BENCH_DATABASE"
# psql from the Npgsql keys that matter here.
pg() { local host user password; host=$(sed -n 's/.*Host=\([^;]*\).*/\1/p' <<<"$server"); user=$(sed -n 's/.*Username=\([^;]*\).*/\1/p' <<<"$server")
  password=$(sed -n 's/.*Password=\([^;]*\).*/\1/p' <<<"$server"); PGPASSWORD=$password psql -q -h "$host" -U "$user" "$@"; }
work=$(mktemp -d); pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; pg -d postgres -c "DROP DATABASE IF EXISTS $BENCH_DATABASE" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

dotnet build bench/peers/McpCqrsHost -c Release -v q -nologo >/dev/null
dotnet build bench/peers/ListPeer -c Release -v q -nologo >/dev/null
dotnet build src/Mcp.Web -c Release -v q -nologo >/dev/null
pg -d postgres -c "DROP DATABASE IF EXISTS $BENCH_DATABASE" -c "CREATE DATABASE $BENCH_DATABASE" >/dev/null
env=(ASPNETCORE_ENVIRONMENT=Production Auth__Backend=AllowAny Auth__AllowAnyInProduction=true "ConnectionStrings__Default=$database")
env "${env[@]}" Database__Seed=true dotnet src/Mcp.Web/bin/Release/net10.0/McpCqrs.Mcp.Web.dll migrate --contentRoot "$PWD/src/Mcp.Web" >"$work/migrate.log" 2>&1
pg -d "$BENCH_DATABASE" -c "INSERT INTO tickets (\"CustomerId\", \"Title\", \"Status\", \"Priority\", \"Tags\", \"CreatedAt\", \"UpdatedAt\")
  SELECT 1 + i % 3, 'Ticket ' || i, i % 5, i % 4, ARRAY['bench'], now() - i * interval '1 minute', now() - i * interval '30 seconds'
  FROM generate_series(1, $TICKETS) AS i" >/dev/null

env "${env[@]}" dotnet bench/peers/McpCqrsHost/bin/Release/net10.0/McpCqrs.Bench.Host.dll --contentRoot "$PWD/src/Mcp.Web" --urls http://127.0.0.1:5195 >"$work/ours.log" 2>&1 & pids+=($!)
ConnectionStrings__Default="$database" dotnet bench/peers/ListPeer/bin/Release/net10.0/McpCqrs.Bench.ListPeer.dll --urls http://127.0.0.1:5196 >"$work/peer.log" 2>&1 & pids+=($!)
for _ in $(seq 1 60); do curl -fs http://127.0.0.1:5195/health/ready >/dev/null && curl -fs http://127.0.0.1:5196/tickets >/dev/null && break; sleep 0.5; done

url=http://127.0.0.1:5195/mcp
session=$(curl -s -D - -o /dev/null "$url" -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
  -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"wrk","version":"1"}}}' \
  | tr -d '\r' | awk -F': ' 'tolower($1)=="mcp-session-id"{print $2}')
curl -s -o /dev/null "$url" -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' -H "Mcp-Session-Id: $session" \
  -H 'MCP-Protocol-Version: 2025-11-25' -d '{"jsonrpc":"2.0","method":"notifications/initialized"}'
call='{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_tickets","arguments":{"filter":"status=Open","pageSize":20}}}'

ours() { MCP_SESSION=$session MCP_BODY=$call wrk -t"$THREADS" -c"$CONNECTIONS" -d"$1" --latency -s bench/load/mcp-call.lua "$url" | tail -n 1; }
peer() { wrk -t"$THREADS" -c"$CONNECTIONS" -d"$1" --latency http://127.0.0.1:5196/tickets | awk '/Requests\/sec/ { r = $2 } / 50%/ { p50 = $2 } / 99%/ { p99 = $2 } END { printf "requests/s %d  p50 %s  p99 %s\n", r, p50, p99 }'; }
ours "$WARMUP" >/dev/null; peer "$WARMUP" >/dev/null
o=$(ours "$DURATION"); p=$(peer "$DURATION")
echo "list_tickets (MCP, TOON text + JSON structuredContent): $o"
echo "minimal API, same EF Core query (JSON):               $p"
awk -v o="$(sed -n 's/requests\/s \([0-9]*\).*/\1/p' <<<"$o")" -v p="$(sed -n 's/requests\/s \([0-9]*\).*/\1/p' <<<"$p")" 'BEGIN { printf "ours / minimal API: %.2f of the requests/s\n", o / p }'
