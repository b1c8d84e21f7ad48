#!/usr/bin/env bash
# Bytes allocated per request under compare.sh's tools/call echo load: our bench host (or TARGET=floor) in one era,
# warmed up for WARMUP, then ROUNDS steady wrk runs of 12 s, in each the runtime's allocation rate over 8 s of it (the
# mean of its one-second rates from dotnet-counters, System.Runtime) divided by that run's request rate. Prints each
# round and the median.
# Stops what it started. Run it alone on the machine:
#   bash bench/load/allocs.sh session            # `stateless` for 2026-07-28; TARGET=floor for the bare Kestrel floor
#   ALLOC_TYPES=1 bash bench/load/allocs.sh session   # then the bytes per request by type (sampled; TOP=25 types)
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
  bytes=$(bytes_per_request "$host" "$work/line-$round" load_era "$url" "$ERA" "$session" 12s)
  echo "round $round: $bytes B/request ($(rps_of "$work/line-$round") requests/s)" | tee -a "$work/rounds"
done
echo "$TARGET $ERA: median $(awk '{ print $3 }' "$work/rounds" | median) B/request"
if [ -n "${ALLOC_TYPES:-}" ]; then
  dotnet build bench/AllocTypes -c Release -v q -nologo >/dev/null
  alloc_types "$host" "$work/types" load_era "$url" "$ERA" "$session" 12s
fi
