#!/usr/bin/env bash
# Side by side, same machine, same load: tools/call of an `echo` tool on
#   floor  - bare Kestrel parsing JSON-RPC and writing a CallToolResult (bench/peers/Floor)
#   sdk    - the official C# MCP SDK, ModelContextProtocol.AspNetCore 2.4.0, stateful sessions (bench/peers/SdkPeer)
#   ours   - this host with the full pipeline (bench/peers/McpCqrsHost)
# with wrk (Debian package), THREADS threads and CONNECTIONS connections on one session each. The three run side
# by side and are loaded in turn, ROUNDS times (floor, sdk, ours, floor, ...), so a slow spell of a shared machine
# falls on all of them; the table shows each one's median requests/s, p50 and p99 over the rounds, and our ratios.
# Stops everything it started.
# Each peer is first warmed up under the same load for WARMUP (tiered JIT with dynamic PGO needs many seconds of
# it; a short warm-up understates the peers that settle last).
#   bench/load/compare.sh                      # 15 s warm-up, 3 rounds of 8 s each, 2 threads, 32 connections
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install wrk" >&2; exit 1; }
DURATION=${DURATION:-8s}; THREADS=${THREADS:-2}; CONNECTIONS=${CONNECTIONS:-32}; ROUNDS=${ROUNDS:-3}; WARMUP=${WARMUP:-15s}
work=$(mktemp -d); pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"' EXIT

for p in Floor SdkPeer McpCqrsHost; do dotnet build "bench/peers/$p" -c Release -v q -nologo >/dev/null; done
dll() { echo "bench/peers/$1/bin/Release/net10.0/McpCqrs.Bench.$2.dll"; }

call='{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"message":"hello"}}}'
declare -A port session
peers=(floor sdk ours)

start() { # name port command...
  local name=$1; port[$name]=$2; shift 2
  "$@" --urls "http://127.0.0.1:${port[$name]}" >"$work/$name.log" 2>&1 & pids+=($!)
}

connect() { # name: wait until it answers, open a session, warm it up
  local name=$1 url="http://127.0.0.1:${port[$1]}/mcp" s
  for _ in $(seq 1 100); do curl -fs -o /dev/null -X POST "$url" -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
      -d '{"jsonrpc":"2.0","id":0,"method":"ping"}' 2>/dev/null && break; [ "$?" = 22 ] && break; sleep 0.2; done
  s=$(curl -s -D - -o /dev/null "$url" -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
    -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"wrk","version":"1"}}}' \
    | tr -d '\r' | awk -F': ' 'tolower($1)=="mcp-session-id"{print $2}')
  curl -s -o /dev/null "$url" -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' -H "Mcp-Session-Id: $s" \
    -H 'MCP-Protocol-Version: 2025-11-25' -d '{"jsonrpc":"2.0","method":"notifications/initialized"}'
  session[$name]=$s
  # Warm-up under the same load: tiered JIT with dynamic PGO settles only after many seconds of it.
  MCP_SESSION=$s MCP_BODY=$call wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s bench/load/mcp-call.lua "$url" >/dev/null
}

start floor 5191 dotnet "$(dll Floor Floor)"
start sdk 5192 dotnet "$(dll SdkPeer SdkPeer)"
ASPNETCORE_ENVIRONMENT=Production Auth__Backend=AllowAny Auth__AllowAnyInProduction=true ConnectionStrings__Default= Database__SqlitePath="$work/bench.db" \
  start ours 5193 dotnet "$(dll McpCqrsHost Host)" --contentRoot "$PWD/src/Mcp.Web"
for n in "${peers[@]}"; do connect "$n"; done

for r in $(seq 1 "$ROUNDS"); do
  for n in "${peers[@]}"; do
    line=$(MCP_SESSION=${session[$n]} MCP_BODY=$call wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s bench/load/mcp-call.lua \
      "http://127.0.0.1:${port[$n]}/mcp" | tail -n 1)
    echo "round $r $n: $line"
    echo "$n $(sed -n 's/requests\/s \([0-9]*\)  p50 \([0-9.]*\) ms  p99 \([0-9.]*\) ms.*/\1 \2 \3/p' <<<"$line")" >>"$work/results"
  done
done

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
declare -A rps p50 p99
for n in "${peers[@]}"; do
  rps[$n]=$(awk -v n="$n" '$1 == n { print $2 }' "$work/results" | median)
  p50[$n]=$(awk -v n="$n" '$1 == n { print $3 }' "$work/results" | median)
  p99[$n]=$(awk -v n="$n" '$1 == n { print $4 }' "$work/results" | median)
done

printf '\nmedian of %s rounds\n%-6s %10s %9s %9s\n' "$ROUNDS" peer 'req/s' 'p50 ms' 'p99 ms'
for n in "${peers[@]}"; do printf '%-6s %10s %9s %9s\n' "$n" "${rps[$n]}" "${p50[$n]}" "${p99[$n]}"; done
awk -v o="${rps[ours]}" -v f="${rps[floor]}" -v s="${rps[sdk]}" -v op="${p99[ours]}" -v fp="${p99[floor]}" 'BEGIN {
  printf "\nours / floor: %.2f of the requests/s (goal >= 0.70), p99 %.2fx the floor (goal <= 1.5)\n", o / f, op / fp
  printf "ours / sdk:   %.2fx the requests/s (goal >= 2)\n", o / s }'

# Session churn (the floor has no sessions): initialize -> tools/call -> DELETE, CHURN_CONNECTIONS connections
# (one per wrk thread: the script keeps each connection's session id in its thread), after a warm-up.
CHURN_CONNECTIONS=${CHURN_CONNECTIONS:-8}
printf '\nsession churn (initialize + tools/call + DELETE), %s connections\n' "$CHURN_CONNECTIONS"
for n in sdk ours; do
  url="http://127.0.0.1:${port[$n]}/mcp"
  wrk -t"$CHURN_CONNECTIONS" -c"$CHURN_CONNECTIONS" -d5s -s bench/load/mcp-churn.lua "$url" >/dev/null
  printf '%-6s %s\n' "$n" "$(wrk -t"$CHURN_CONNECTIONS" -c"$CHURN_CONNECTIONS" -d"$DURATION" -s bench/load/mcp-churn.lua "$url" | tail -n 1)"
done
