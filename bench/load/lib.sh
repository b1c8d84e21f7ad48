# Shared by the side-by-side load scripts (compare.sh, ab.sh): requests of both eras, opening a session, loading a
# peer with wrk, medians. Source it from the repository root; the caller sets THREADS and CONNECTIONS.

SESSION_CALL='{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"message":"hello"}}}'
STATELESS_CALL='{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"message":"hello"},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"wrk","version":"1"},"io.modelcontextprotocol/clientCapabilities":{}}}}'

# start_ours ROOT PORT LOG DB [VAR=value ...]: our bench host (bench/peers/McpCqrsHost of the tree ROOT, built Release)
# in the background as the side-by-side runs start it — production, anonymous callers allowed, a fresh request-state
# key, the embedded SQLite database file DB — with VAR=value words added to its environment; its PID is in $OURS_PID.
start_ours() {
  local root=$1 port=$2 log=$3 db=$4; shift 4
  env ASPNETCORE_ENVIRONMENT=Production Auth__Backend=AllowAny Auth__AllowAnyOutsideDevelopment=true Mcp__RequestStateKey="$(openssl rand -base64 32)" \
    ConnectionStrings__Default= Database__SqlitePath="$db" "$@" \
    dotnet "$root/bench/peers/McpCqrsHost/bin/Release/net10.0/McpCqrs.Bench.Host.dll" --contentRoot "$root/src/Mcp.Web" --urls "http://127.0.0.1:$port" >"$log" 2>&1 &
  OURS_PID=$!
}

# wait_ready URL: until the endpoint answers a POST (any HTTP status but a connection error).
wait_ready() {
  for _ in $(seq 1 150); do
    curl -s -o /dev/null -X POST "$1" -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' -d '{}' && return 0
    sleep 0.2
  done
  echo "$1 did not answer" >&2; return 1
}

# open_session URL: initialize (2025-11-25) + notifications/initialized; prints the session id.
open_session() {
  local s
  s=$(curl -s -D - -o /dev/null "$1" -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
    -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"wrk","version":"1"}}}' \
    | tr -d '\r' | awk -F': ' 'tolower($1)=="mcp-session-id"{print $2}')
  curl -s -o /dev/null "$1" -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' -H "Mcp-Session-Id: $s" \
    -H 'MCP-Protocol-Version: 2025-11-25' -d '{"jsonrpc":"2.0","method":"notifications/initialized"}'
  echo "$s"
}

# load_era URL ERA SESSION DURATION [--latency]: tools/call echo in ERA (session | stateless); prints wrk's summary line.
load_era() {
  if [ "$2" = session ]; then
    MCP_SESSION=$3 MCP_BODY=$SESSION_CALL wrk -t"$THREADS" -c"$CONNECTIONS" -d"$4" ${5:-} -s bench/load/mcp-call.lua "$1" | tail -n 1
  else
    MCP_PROTOCOL_VERSION=2026-07-28 MCP_BODY=$STATELESS_CALL MCP_METHOD=tools/call MCP_NAME=echo wrk -t"$THREADS" -c"$CONNECTIONS" -d"$4" ${5:-} -s bench/load/mcp-call.lua "$1" | tail -n 1
  fi
}

# record FILE ERA PEER LINE: appends "ERA PEER rps p50 p99" parsed from a summary line of mcp-call.lua.
record() { echo "$2 $3 $(sed -n 's/requests\/s \([0-9]*\)  p50 \([0-9.]*\) ms  p99 \([0-9.]*\) ms.*/\1 \2 \3/p' <<<"$4")" >>"$1"; }

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# median_of FILE ERA PEER COLUMN: the median of a column (3 req/s, 4 p50, 5 p99) of one era's peer.
median_of() { awk -v e="$2" -v n="$3" -v c="$4" '$1 == e && $2 == n { print $c }' "$1" | median; }

# bytes_per_request PID OUT CMD...: runs CMD (a load of 12 s that prints mcp-call.lua's summary line) in the background
# and, from its third second, the runtime's allocation rate of process PID over 9 s (dotnet-counters, System.Runtime:
# the mean of its one-second rates after the first, which may cover less than a second); prints the bytes allocated
# per request (that rate over the load's request rate) and keeps the load's line in OUT.
bytes_per_request() {
  local pid=$1 out=$2 load; shift 2
  "$@" >"$out" & load=$!
  sleep 2
  timeout 30 dotnet tool run dotnet-counters collect -p "$pid" --counters System.Runtime --format csv -o "$out.csv" \
    --refresh-interval 1 --duration 00:00:00:09 >/dev/null 2>&1 || true
  wait "$load"
  local rps rate
  rps=$(rps_of "$out")
  rate=$(grep -i "total_allocated" "$out.csv" 2>/dev/null | awk -F, 'NR > 1 { s += $NF; n++ } END { if (n) printf "%.0f", s / n }')
  [ -n "$rate" ] && [ -n "$rps" ] || { echo "no allocation rate or request rate for process $pid" >&2; return 1; }
  awk -v b="$rate" -v r="$rps" 'BEGIN { printf "%.0f\n", b / r }'
}

# alloc_types PID OUT CMD...: runs CMD (a load of 12 s that prints mcp-call.lua's summary line) in the background
# and, from its third second, traces process PID for 8 s with the runtime's allocation ticks (dotnet-trace, GC keyword,
# verbose); prints the sampled bytes per request of the TOP (default 25) types that took most (bench/AllocTypes) and
# keeps the load's line in OUT and the trace in OUT.nettrace.
alloc_types() {
  local pid=$1 out=$2 load; shift 2
  "$@" >"$out" & load=$!
  sleep 2
  timeout 40 dotnet tool run dotnet-trace collect -p "$pid" --providers 'Microsoft-Windows-DotNETRuntime:0x1:5' \
    --duration 00:00:00:08 -o "$out.nettrace" >/dev/null 2>&1 || true
  wait "$load"
  local rps; rps=$(rps_of "$out")
  [ -s "$out.nettrace" ] && [ -n "$rps" ] || { echo "no trace or request rate for process $pid" >&2; return 1; }
  dotnet bench/AllocTypes/bin/Release/net10.0/McpCqrs.Bench.AllocTypes.dll "$out.nettrace" "$((rps * 8))" "${TOP:-25}"
}

# rps_of FILE: the requests/s of the mcp-call.lua summary line in FILE.
rps_of() { sed -n 's/requests\/s \([0-9]*\).*/\1/p' "$1"; }

# sample_under_load PID SECONDS OUT CMD...: runs CMD (a load of SECONDS + 4 s that prints mcp-call.lua's summary
# line) in the background and, from its third second, samples process PID with perf for SECONDS; keeps the load's
# line in OUT and perf's samples, as text, in OUT.txt (for perf-breakdown.py).
sample_under_load() {
  local pid=$1 seconds=$2 out=$3 load; shift 3
  "$@" >"$out" & load=$!
  sleep 2
  perf record -F 999 -g -p "$pid" -o "$out.data" -- sleep "$seconds" >/dev/null 2>&1
  wait "$load"
  perf script -i "$out.data" >"$out.txt" 2>/dev/null
}
