#!/usr/bin/env bash
# list_tickets on PostgreSQL, side by side with a hand-written minimal API running the same EF Core filter, order,
# page and projection (bench/peers/ListPeer): open tickets, most recently updated first, a page of 20 with the total.
# The peer counts and then reads the page (two statements, as such an API is usually written); list_tickets reads
# both in one (QueryablePaging.WithTotal). Creates the
# database BENCH_DATABASE on the server named by MCPCQRS_BENCH_POSTGRES (a Npgsql connection string without a
# database), migrates and seeds it with TICKETS tickets, warms both up, loads each for DURATION with wrk and prints
# requests/s, p50, p99 and our ratio. Both are loaded in turn, ROUNDS times (which one first alternates), so a slow
# spell of a shared machine falls on both; the table shows each one's median over the rounds. Ours listens on PORT, the peer on PEER_PORT.
# Stops everything it started and drops the database.
#   MCPCQRS_BENCH_POSTGRES="Host=127.0.0.1;Username=postgres;Password=postgres" bench/load/list-tickets.sh
#   FORMAT=json ...                                             # list_tickets answering with JSON text, not TOON
#   ALLOCS=1 ...    # then measures each one's bytes allocated per request (dotnet-counters, one 12 s run each)
#   ALLOC_TYPES=1 ...  # then what each one allocates per request by type (dotnet-trace's allocation ticks, sampled)
#   PROFILE=1 ...   # then samples each one with perf (linux-perf) for PROFILE_SECONDS under the same load and prints
#                   # microseconds per request by module and by stage (bench/load/perf-breakdown.py); with
#                   # PROFILE_OUT=DIR it keeps perf's samples as text there (DIR/ours.txt, DIR/peer.txt)
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install wrk" >&2; exit 1; }
command -v psql >/dev/null || { echo "psql is not installed: apt-get install postgresql-client" >&2; exit 1; }
: "${MCPCQRS_BENCH_POSTGRES:?set MCPCQRS_BENCH_POSTGRES to a PostgreSQL connection string, e.g. Host=127.0.0.1;Username=postgres;Password=postgres}"
WARMUP=${WARMUP:-30s}; DURATION=${DURATION:-10s}; ROUNDS=${ROUNDS:-3}; THREADS=${THREADS:-2}; CONNECTIONS=${CONNECTIONS:-32}; TICKETS=${TICKETS:-2000}
BENCH_DATABASE=${BENCH_DATABASE:-mcpcqrs_bench}; PORT=${PORT:-5195}; PEER_PORT=${PEER_PORT:-5196}
source bench/load/lib.sh
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
env=(ASPNETCORE_ENVIRONMENT=Production Auth__Backend=AllowAny Auth__AllowAnyOutsideDevelopment=true "Mcp__RequestStateKey=$(openssl rand -base64 32)" "ConnectionStrings__Default=$database")
env "${env[@]}" Database__Seed=true dotnet src/Mcp.Web/bin/Release/net10.0/McpCqrs.Mcp.Web.dll migrate --contentRoot "$PWD/src/Mcp.Web" >"$work/migrate.log" 2>&1
pg -d "$BENCH_DATABASE" -c "INSERT INTO tickets (\"CustomerId\", \"Title\", \"Status\", \"Priority\", \"Tags\", \"CreatedAt\", \"UpdatedAt\")
  SELECT 1 + i % 3, 'Ticket ' || i, i % 5, i % 4, ARRAY['bench'], now() - i * interval '1 minute', now() - i * interval '30 seconds'
  FROM generate_series(1, $TICKETS) AS i" >/dev/null

# PROFILE: the runtime's perf map, so JIT-compiled frames have names in perf's samples.
perfmap=(); [ -n "${PROFILE:-}" ] && perfmap=(DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0)
env "${env[@]}" "${perfmap[@]}" dotnet bench/peers/McpCqrsHost/bin/Release/net10.0/McpCqrs.Bench.Host.dll --contentRoot "$PWD/src/Mcp.Web" --urls "http://127.0.0.1:$PORT" >"$work/ours.log" 2>&1 & pids+=($!)
env "${perfmap[@]}" ConnectionStrings__Default="$database" dotnet bench/peers/ListPeer/bin/Release/net10.0/McpCqrs.Bench.ListPeer.dll --urls "http://127.0.0.1:$PEER_PORT" >"$work/peer.log" 2>&1 & pids+=($!)
for _ in $(seq 1 60); do curl -fs http://127.0.0.1:$PORT/health/ready >/dev/null && curl -fs "http://127.0.0.1:$PEER_PORT/tickets?status=Open&page=1&pageSize=20" >/dev/null && break; sleep 0.5; done

url="http://127.0.0.1:$PORT/mcp"
session=$(open_session "$url")
# FORMAT=json asks for JSON text instead of the tool's TOON (_meta "mcpcqrs/outputFormat"): what the second rendering costs.
meta=$([ -n "${FORMAT:-}" ] && echo ",\"_meta\":{\"mcpcqrs/outputFormat\":\"$FORMAT\"}" || true)
call='{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_tickets","arguments":{"filter":"status=Open","pageSize":20}'"$meta"'}}'

# Both print mcp-call.lua's summary line (the peer's from wrk's own report; a non-2xx answer counts as an error).
ours() { MCP_SESSION=$session MCP_BODY=$call wrk -t"$THREADS" -c"$CONNECTIONS" -d"$1" --latency -s bench/load/mcp-call.lua "$url" | tail -n 1; }
peer() { wrk -t"$THREADS" -c"$CONNECTIONS" -d"$1" --latency "http://127.0.0.1:$PEER_PORT/tickets?status=Open&page=1&pageSize=20" | awk '
  function ms(v) { return v ~ /us$/ ? v / 1000 : v ~ /ms$/ ? v + 0 : v * 1000 }
  /Requests\/sec/ { r = $2 } / 50%/ { p50 = ms($2) } / 99%/ { p99 = ms($2) } /Non-2xx/ { bad = $NF } /Socket errors/ { errors = 1 }
  END { printf "requests/s %.0f  p50 %.2f ms  p99 %.2f ms  errors %d  non-2xx/JSON-RPC errors %d\n", r, p50, p99, errors, bad }'; }
# A warm-up may time out a few requests of a cold server on a busy machine; a wrong answer stops the run.
for n in ours peer; do
  line=$("$n" "$WARMUP")
  grep -q 'non-2xx/JSON-RPC errors 0' <<<"$line" || { echo "warm-up of $n got wrong answers: $line" >&2; exit 1; }
done
# Each one's processor time (user + system, /proc) per request over a round: less moved by a busy machine than
# requests/s, as it counts what a request costs rather than how much of the machine the process got.
declare -A pid=([ours]=${pids[0]} [peer]=${pids[1]})
cpu() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
seconds=${DURATION%s}
for r in $(seq 1 "$ROUNDS"); do
  # Odd rounds load ours first, even rounds the peer first: neither always runs right after the other.
  order=(ours peer); [ $((r % 2)) -eq 0 ] && order=(peer ours)
  for n in "${order[@]}"; do
    before=$(cpu "${pid[$n]}"); line=$("$n" "$DURATION"); after=$(cpu "${pid[$n]}")
    ms=$(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v r="$(sed -n 's/requests\/s \([0-9]*\).*/\1/p' <<<"$line")" -v s="$seconds" \
      'BEGIN { printf "%.3f", t / hz * 1000 / (r * s) }')
    echo "round $r $n: $line  cpu $ms ms/request"
    record "$work/rounds" list "$n" "$line"
    echo "$(tail -n 1 "$work/rounds") $ms" >>"$work/results"
  done
done
printf '\nlist_tickets on PostgreSQL, median of %s rounds of %s\n%-50s %10s %9s %9s %13s\n' "$ROUNDS" "$DURATION" '' 'req/s' 'p50 ms' 'p99 ms' 'cpu ms/req'
for n in ours peer; do
  label=$([ "$n" = ours ] && echo "list_tickets (MCP, ${FORMAT:-toon} text + structuredContent)" || echo 'minimal API, count + page (JSON)')
  printf '%-50s %10s %9s %9s %13s\n' "$label" "$(median_of "$work/results" list "$n" 3)" "$(median_of "$work/results" list "$n" 4)" \
    "$(median_of "$work/results" list "$n" 5)" "$(median_of "$work/results" list "$n" 6)"
done
awk -v o="$(median_of "$work/results" list ours 3)" -v p="$(median_of "$work/results" list peer 3)" -v op="$(median_of "$work/results" list ours 5)" -v pp="$(median_of "$work/results" list peer 5)" \
  -v oc="$(median_of "$work/results" list ours 6)" -v pc="$(median_of "$work/results" list peer 6)" \
  'BEGIN { printf "ours / minimal API: %.2f of the requests/s, p99 %.2fx the minimal API'"'"'s, %.2fx its processor time per request\n", o / p, op / pp, oc / pc }'

if [ -n "${ALLOCS:-}" ]; then
  echo
  for n in ours peer; do
    bytes=$(bytes_per_request "${pid[$n]}" "$work/$n.allocs" "$n" 12s)
    echo "$n: $bytes B allocated per request ($(rps_of "$work/$n.allocs") requests/s under dotnet-counters)"
  done
fi

if [ -n "${ALLOC_TYPES:-}" ]; then
  dotnet build bench/AllocTypes -c Release -v q -nologo >/dev/null
  for n in ours peer; do
    printf '\n%s, allocated by type (sampled):\n' "$n"
    alloc_types "${pid[$n]}" "$work/$n.types" "$n" 12s
  done
fi

[ -n "${PROFILE:-}" ] || exit 0
command -v perf >/dev/null || { echo "perf is not installed: apt-get install linux-perf" >&2; exit 1; }
PROFILE_SECONDS=${PROFILE_SECONDS:-10}
for n in ours peer; do
  sample_under_load "${pid[$n]}" "$PROFILE_SECONDS" "$work/$n.load" "$n" "$((PROFILE_SECONDS + 4))s"
  rps=$(rps_of "$work/$n.load")
  printf '\n%s under perf: %s\n' "$n" "$(cat "$work/$n.load")"
  [ -z "${PROFILE_OUT:-}" ] || { mkdir -p "$PROFILE_OUT"; cp "$work/$n.load.txt" "$PROFILE_OUT/$n.txt"; }
  python3 bench/load/perf-breakdown.py "$work/$n.load.txt" "$((rps * PROFILE_SECONDS))" 0.001001 \
    'HttpProtocol+<ProcessRequests>' 'McpHttpTransport+<PostAsync>' 'McpDispatcher+<DispatchAsync>' 'Mediator::Send' \
    'TracingBehavior' 'AuthorizationBehavior' 'RateLimitBehavior' 'ValidationBehavior' 'ListTicketsHandler' 'QueryEngine' \
    'McpCallToolHandler::ToResult' 'ToonEncoder' 'JsonSerializer' 'CountAsync' 'ToListAsync' 'QueryCompilationContext' \
    'CompiledQueryCache' 'Npgsql' 'EntityFrameworkCore' 'JsonRpcWire' 'DependencyInjection'
done
