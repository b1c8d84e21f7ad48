#!/usr/bin/env bash
# Open GET streams across instances through Redis: for K in COUNTS (1 2 4), starts K hosts sharing one Redis (its own
# redis-server on REDIS_PORT, started and stopped here) and one PostgreSQL database (created and dropped here), opens
# STREAMS 2025-11-25 sessions with their GET streams spread round-robin over the K instances, and has the first
# instance broadcast: once a second one notification for DURATION seconds, then (the rate run) RATE notifications a
# second for RATE_DURATION seconds (bench/FanOut `scale`). Records delivered/s, latency, lost and duplicated
# notifications and redis-server's CPU; one result line per run goes to OUT, then bench/scale/plot.py draws the
# curves. Stops everything it started. PostgreSQL on 127.0.0.1:5432 (postgres/postgres). Run it alone on the machine:
#   flock /tmp/mcpcqrs-bench.lock bash bench/scale/instances.sh      # COUNTS="1 2 4" STREAMS=2000 RATE=20
set -euo pipefail
cd "$(dirname "$0")/../.."
COUNTS=${COUNTS:-"1 2 4"}; STREAMS=${STREAMS:-2000}; SETTLE=${SETTLE:-5}; IDLE=${IDLE:-15}; DURATION=${DURATION:-20}
RATE=${RATE:-20}; RATE_DURATION=${RATE_DURATION:-5}; DRAIN=${DRAIN:-120}; BASE_PORT=${BASE_PORT:-5310}; REDIS_PORT=${REDIS_PORT:-6380}
CONCURRENCY=${CONCURRENCY:-32}; OUT=${OUT:-docs/scale/instances.dat}
DB=${DB:-mcpcqrs_scale_streams}
PG="Host=127.0.0.1;Port=5432;Username=postgres;Password=postgres"
source bench/scale/common.sh
ulimit -n 20000
work=$(mktemp -d)
redis_pid=
cleanup() {
  stop_all
  if [ -n "$redis_pid" ]; then kill "$redis_pid" 2>/dev/null || true; while kill -0 "$redis_pid" 2>/dev/null; do sleep 0.1; done; fi
  PGPASSWORD=postgres psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
build_all
PGPASSWORD=postgres psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null
PGPASSWORD=postgres psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $DB" >/dev/null
redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes --save '' --appendonly no --pidfile "$work/redis.pid" --logfile "$work/redis.log"
for _ in $(seq 1 50); do [ -s "$work/redis.pid" ] && redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
redis_pid=$(cat "$work/redis.pid")
state_key=$(head -c 32 /dev/urandom | base64)
mkdir -p "$(dirname "$OUT")"
: >"$OUT"
for k in $COUNTS; do
  redis-cli -p "$REDIS_PORT" flushall >/dev/null
  urls=(); pids=()
  for i in $(seq 0 $((k - 1))); do
    port=$((BASE_PORT + i))
    # The first instance migrates the database; the others start once it is ready.
    start_host "$port" "$work/host-$k-$i.log" Database__Provider=Postgres Database__MigrateOnStartup="$([ "$i" = 0 ] && echo true || echo false)" \
      ConnectionStrings__Default="$PG;Database=$DB" Mcp__Redis="127.0.0.1:$REDIS_PORT" Mcp__RedisKeyPrefix="scale:$k" \
      Mcp__RequestStateKey="$state_key"
    wait_ready "$port"
    urls+=("http://127.0.0.1:$port/mcp"); pids+=("$HOST_PID")
  done
  for u in "${urls[@]}"; do warm_up "$u"; done
  all_urls=$(IFS=,; echo "${urls[*]}"); all_pids=$(IFS=,; echo "${pids[*]}")
  for run in steady rate; do
    # The rate run asks for more than the instances deliver: it measures what they do deliver, and waits (up to DRAIN
    # seconds) for all of it to arrive.
    if [ "$run" = steady ]; then count=1; duration=$DURATION; else count=$RATE; duration=$RATE_DURATION; fi
    line=$(scale urls="$all_urls" streams="$STREAMS" pids="$all_pids" redis="$redis_pid" settle="$SETTLE" idle="$IDLE" \
      duration="$duration" count="$count" drain="$DRAIN" concurrency="$CONCURRENCY" label="$run-$k") || echo "run $run with $k instances did not complete" >&2
    echo "$line" | tee -a "$OUT"
  done
  stop_all
done
python3 bench/scale/plot.py
