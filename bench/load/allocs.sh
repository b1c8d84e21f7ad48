#!/usr/bin/env bash
# Bytes allocated per request under compare.sh's tools/call echo load: our bench host (or TARGET=floor) in one era,
# warmed up for WARMUP, then ROUNDS steady wrk runs of 12 s, in each the runtime's allocation rate over 8 s of it (the
# mean of its one-second rates from dotnet-counters, System.Runtime) divided by that run's request rate. Prints each
# round and the median.
# Stops what it started. Run it alone on the machine:
#   bash bench/load/allocs.sh session            # `stateless` for 2026-07-28; TARGET=floor for the bare Kestrel floor
set -euo pipefail
cd "$(dirname "$0")/../.."
ERA=${1:-session}; TARGET=${TARGET:-ours}; ROUNDS=${ROUNDS:-3}; WARMUP=${WARMUP:-15s}; THREADS=${THREADS:-2}; CONNECTIONS=${CONNECTIONS:-32}
PORT=${PORT:-5197}
source bench/load/lib.sh
work=$(mktemp -d); pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"' EXIT
if [ "$TARGET" = floor ]; then
  dotnet build bench/peers/Floor -c Release -v q -nologo >/dev/null
  dotnet bench/peers/Floor/bin/Release/net10.0/McpCqrs.Bench.Floor.dll --urls "http://127.0.0.1:$PORT" >"$work/host.log" 2>&1 &
  pids+=($!); host=$!
else
  dotnet build bench/peers/McpCqrsHost -c Release -v q -nologo >/dev/null
  start_ours "$PWD" "$PORT" "$work/host.log" "$work/bench.db"; pids+=($OURS_PID); host=$OURS_PID
fi
url=http://127.0.0.1:$PORT/mcp; wait_ready "$url"
session=$([ "$ERA" = session ] && open_session "$url" || true)
load_era "$url" "$ERA" "$session" "$WARMUP" >/dev/null
for round in $(seq 1 "$ROUNDS"); do
  load_era "$url" "$ERA" "$session" 12s >"$work/line" & lp=$!
  sleep 2
  timeout 30 dotnet tool run dotnet-counters collect -p "$host" --counters System.Runtime --format csv -o "$work/c-$round.csv" \
    --refresh-interval 1 --duration 00:00:00:09 >/dev/null 2>&1 || true
  wait $lp
  rps=$(sed -n 's/requests\/s \([0-9]*\).*/\1/p' "$work/line")
  # The mean of the one-second rates after the first (which may cover less than a second).
  rate=$(grep -i "total_allocated" "$work/c-$round.csv" | awk -F, 'NR > 1 { s += $NF; n++ } END { if (n) printf "%.0f", s / n }')
  [ -n "$rate" ] && [ -n "$rps" ] || { echo "round $round: no allocation rate or request rate" >&2; exit 1; }
  awk -v b="$rate" -v r="$rps" -v n="$round" 'BEGIN { printf "round %d: %.0f B/request (%d requests/s)\n", n, b / r, r }' | tee -a "$work/rounds"
done
echo "$TARGET $ERA: median $(awk '{ print $3 }' "$work/rounds" | median) B/request"
