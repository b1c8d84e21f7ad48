#!/usr/bin/env bash
# Our host at two git revisions, side by side, same machine, same load: tools/call of the `echo` tool in each era
# (2025-11-25 in a session, 2026-07-28 stateless), with wrk (Debian package). Both hosts run at once and are loaded
# in turn, ROUNDS times (a, b, a, b, ...), so a slow spell of a shared machine falls on both; the table shows each
# one's median requests/s, p50 and p99 over the rounds, and b's ratio to a. Use it to show that a change is not
# slower than what it replaces. Stops everything it started.
#   bench/load/ab.sh                 # a = main, b = the working tree; 15 s warm-up, 5 rounds of 8 s
#   A=v1.2 bench/load/ab.sh          # a = any revision git knows
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install wrk" >&2; exit 1; }
A=${A:-main}; DURATION=${DURATION:-8s}; THREADS=${THREADS:-2}; CONNECTIONS=${CONNECTIONS:-32}; ROUNDS=${ROUNDS:-5}; WARMUP=${WARMUP:-15s}
work=$(mktemp -d); pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; git worktree remove --force "$work/a" 2>/dev/null || true; rm -rf "$work"' EXIT

git worktree add --detach -q "$work/a" "$A"
for tree in "$work/a" "$PWD"; do dotnet build "$tree/bench/peers/McpCqrsHost" -c Release -v q -nologo >/dev/null; done
declare -A root=([a]="$work/a" [b]="$PWD") port=([a]=5201 [b]=5202) session

for n in a b; do
  ASPNETCORE_ENVIRONMENT=Production Auth__Backend=AllowAny Auth__AllowAnyInProduction=true ConnectionStrings__Default= \
    Database__SqlitePath="$work/$n.db" dotnet "${root[$n]}/bench/peers/McpCqrsHost/bin/Release/net10.0/McpCqrs.Bench.Host.dll" \
    --contentRoot "${root[$n]}/src/Mcp.Web" --urls "http://127.0.0.1:${port[$n]}" >"$work/$n.log" 2>&1 & pids+=($!)
done

session_call='{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"message":"hello"}}}'
stateless_call='{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"message":"hello"},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"wrk","version":"1"},"io.modelcontextprotocol/clientCapabilities":{}}}}'

load() { # peer era duration [--latency]
  local url="http://127.0.0.1:${port[$1]}/mcp"
  if [ "$2" = session ]; then
    MCP_SESSION=${session[$1]} MCP_BODY=$session_call wrk -t"$THREADS" -c"$CONNECTIONS" -d"$3" ${4:-} -s bench/load/mcp-call.lua "$url"
  else
    MCP_BODY=$stateless_call MCP_METHOD=tools/call MCP_NAME=echo wrk -t"$THREADS" -c"$CONNECTIONS" -d"$3" ${4:-} -s bench/load/mcp-stateless.lua "$url"
  fi
}

for n in a b; do
  url="http://127.0.0.1:${port[$n]}/mcp"
  for _ in $(seq 1 150); do curl -fs -o /dev/null "http://127.0.0.1:${port[$n]}/health/ready" && break; sleep 0.2; done
  session[$n]=$(curl -s -D - -o /dev/null "$url" -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
    -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"wrk","version":"1"}}}' \
    | tr -d '\r' | awk -F': ' 'tolower($1)=="mcp-session-id"{print $2}')
  curl -s -o /dev/null "$url" -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' -H "Mcp-Session-Id: ${session[$n]}" \
    -H 'MCP-Protocol-Version: 2025-11-25' -d '{"jsonrpc":"2.0","method":"notifications/initialized"}'
  for era in session stateless; do load "$n" "$era" "$WARMUP" >/dev/null; done
done

for r in $(seq 1 "$ROUNDS"); do
  for era in session stateless; do
    for n in a b; do
      line=$(load "$n" "$era" "$DURATION" --latency | tail -n 1)
      echo "round $r $era $n: $line"
      echo "$era $n $(sed -n 's/requests\/s \([0-9]*\)  p50 \([0-9.]*\) ms  p99 \([0-9.]*\) ms.*/\1 \2 \3/p' <<<"$line")" >>"$work/results"
    done
  done
done

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
printf '\na = %s, b = the working tree; median of %s rounds\n%-10s %-4s %10s %9s %9s\n' "$A" "$ROUNDS" era peer 'req/s' 'p50 ms' 'p99 ms'
for era in session stateless; do
  declare -A rps=()
  for n in a b; do
    rps[$n]=$(awk -v e="$era" -v n="$n" '$1 == e && $2 == n { print $3 }' "$work/results" | median)
    p50=$(awk -v e="$era" -v n="$n" '$1 == e && $2 == n { print $4 }' "$work/results" | median)
    p99=$(awk -v e="$era" -v n="$n" '$1 == e && $2 == n { print $5 }' "$work/results" | median)
    printf '%-10s %-4s %10s %9s %9s\n' "$era" "$n" "${rps[$n]}" "$p50" "$p99"
  done
  awk -v a="${rps[a]}" -v b="${rps[b]}" -v e="$era" 'BEGIN { printf "%-10s b / a: %.2f of the requests/s\n", e, b / a }'
done
