#!/usr/bin/env bash
# Open GET streams on ONE instance: for each N in NS, starts a fresh host (embedded SQLite and in-memory sessions,
# the default without Redis), warms it up, opens N 2025-11-25 sessions each with its GET stream, lets it settle for
# SETTLE seconds, measures an idle phase of IDLE seconds (host CPU, keep-alives every KEEPALIVE — the default 15 s —,
# resident memory per stream), then broadcasts one notification a second for DURATION
# seconds and records each delivery's latency (bench/FanOut `scale`). One result line per N goes to OUT; then
# bench/scale/plot.py draws docs/scale/*.svg. Stops everything it started. Run it alone on the machine:
#   flock /tmp/mcpcqrs-bench.lock bash bench/scale/streams.sh        # NS="1000 5000 10000" SETTLE=10 IDLE=30 DURATION=30
set -euo pipefail
cd "$(dirname "$0")/../.."
NS=${NS:-"1000 5000 10000"}; SETTLE=${SETTLE:-10}; IDLE=${IDLE:-30}; DURATION=${DURATION:-30}; PORT=${PORT:-5300}
CONCURRENCY=${CONCURRENCY:-32}; OUT=${OUT:-docs/scale/streams.dat}
source bench/scale/common.sh
ulimit -n 20000
work=$(mktemp -d)
trap 'stop_all; rm -rf "$work"' EXIT
build_all
mkdir -p "$(dirname "$OUT")"
: >"$OUT"
for n in $NS; do
  start_host "$PORT" "$work/host-$n.log" ConnectionStrings__Default= Database__SqlitePath="$work/bench-$n.db"
  wait_ready "$PORT"
  warm_up "http://127.0.0.1:$PORT/mcp"
  line=$(scale urls="http://127.0.0.1:$PORT/mcp" streams="$n" pids="$HOST_PID" settle="$SETTLE" idle="$IDLE" duration="$DURATION" \
    count=1 concurrency="$CONCURRENCY" label="streams-$n") || { echo "run N=$n failed: $line" >&2; cat "$work/host-$n.log" >&2; }
  echo "$line" | tee -a "$OUT"
  stop_all
done
python3 bench/scale/plot.py
