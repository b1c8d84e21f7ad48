#!/usr/bin/env bash
# Task drain across instances (issue #19): COUNT queued tasks of the bench host's `work` tool, drained by the task
# workers of 1 and of 2 instances that share one PostgreSQL database and one Redis: none may run twice, none may be
# lost. Starts its own redis-server on 127.0.0.1:6381 and its own database BENCH_DATABASE (on the server named by
# MCPCQRS_BENCH_POSTGRES; the local cluster is started if it is down, and left running), then for each instance count
# in INSTANCES: a fresh database and Redis, that many bench hosts (Release, ports 5401..., WORKERS worker slots each,
# the per-owner live-task bound lifted), a warm-up drain of WARMUP tasks, and for each MILLIS one measured drain by
# bench/TaskDrain (tasks created round-robin over the instances through one 2025-11-25 session; completion heard on
# its GET stream). Prints one result line per run; exits 1 if any run lost, duplicated or failed a task. Stops
# everything it started and drops the database.
# The `work` tool appends its line with a .NET FileStream in append mode, which writes at the end offset it read
# when it opened the file (no O_APPEND): runs that finish at the same moment overwrite each other's lines in a plain
# file. So BENCH_LEDGER is a pipe: each line is one write shorter than PIPE_BUF, kept whole, and one reader appends
# them to the ledger file the harness reads.
#   flock /tmp/mcpcqrs-bench.lock bash bench/scale/tasks.sh                 # INSTANCES="1 2" COUNT=1000 MILLIS="0 50 200" WORKERS=4
#   INSTANCES=2 MILLIS=50 flock /tmp/mcpcqrs-bench.lock bash bench/scale/tasks.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v psql >/dev/null || { echo "psql is not installed: apt-get install postgresql-client" >&2; exit 1; }
command -v redis-server >/dev/null || { echo "redis-server is not installed: apt-get install redis-server" >&2; exit 1; }
INSTANCES=${INSTANCES:-"1 2"}; COUNT=${COUNT:-1000}; MILLIS=${MILLIS:-"0 50 200"}; WORKERS=${WORKERS:-4}; CREATORS=${CREATORS:-16}; WARMUP=${WARMUP:-300}
BENCH_DATABASE=${BENCH_DATABASE:-mcpcqrs_scale_tasks}; REDIS_PORT=${REDIS_PORT:-6381}; BASE_PORT=${BASE_PORT:-5401}
server=${MCPCQRS_BENCH_POSTGRES:-"Host=127.0.0.1;Port=5432;Username=postgres;Password=postgres"}; database="$server;Database=$BENCH_DATABASE"
# psql from the Npgsql keys that matter here.
pg() { local host port user password; host=$(sed -n 's/.*Host=\([^;]*\).*/\1/p' <<<"$server"); port=$(sed -n 's/.*Port=\([^;]*\).*/\1/p' <<<"$server")
  user=$(sed -n 's/.*Username=\([^;]*\).*/\1/p' <<<"$server"); password=$(sed -n 's/.*Password=\([^;]*\).*/\1/p' <<<"$server")
  PGPASSWORD=$password psql -q -h "$host" -p "${port:-5432}" -U "$user" "$@"; }
work=$(mktemp -d); pids=(); reader=""
stop_hosts() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done; pids=(); }
cleanup() {
  stop_hosts
  [ -f "$work/redis.pid" ] && kill "$(cat "$work/redis.pid")" 2>/dev/null || true
  [ -n "$reader" ] && kill "$reader" 2>/dev/null || true
  pg -d postgres -c "DROP DATABASE IF EXISTS $BENCH_DATABASE" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

dotnet build bench/peers/McpCqrsHost -c Release -v q -nologo >/dev/null
dotnet build bench/TaskDrain -c Release -v q -nologo >/dev/null
dotnet build src/Mcp.Web -c Release -v q -nologo >/dev/null

if ! pg_isready -q -h 127.0.0.1 -p 5432 && [ -d /usr/lib/postgresql ]; then
  pg_ctlcluster "$(ls /usr/lib/postgresql | sort -V | tail -1)" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.5; done
fi
if redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then echo "a Redis already answers on port $REDIS_PORT: stop it or set REDIS_PORT" >&2; exit 1; fi
redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes --save '' --appendonly no --pidfile "$work/redis.pid" --logfile "$work/redis.log"
for _ in $(seq 1 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && [ -s "$work/redis.pid" ] && break; sleep 0.1; done

# The ledger's reader holds the pipe open for writing too, so it never reads an end of file between runs.
mkfifo "$work/ledger.pipe"; : >"$work/ledger"
cat 0<>"$work/ledger.pipe" >>"$work/ledger" & reader=$!

env=(ASPNETCORE_ENVIRONMENT=Production Auth__Backend=AllowAny Auth__AllowAnyOutsideDevelopment=true "ConnectionStrings__Default=$database")
hosts=(
  "${env[@]}" "Mcp__Redis=127.0.0.1:$REDIS_PORT" "Mcp__RequestStateKey=$(openssl rand -base64 32)" "BENCH_LEDGER=$work/ledger.pipe"
  "Mcp__Tasks__MaxConcurrency=$WORKERS" Mcp__Limits__MaxLiveTasksPerOwner=100000
)
drain() { dotnet bench/TaskDrain/bin/Release/net10.0/McpCqrs.Bench.TaskDrain.dll --urls "$urls" --ledger "$work/ledger" --creators "$CREATORS" --instances "$names" "$@"; }
failed=0; letters=(A B C D E F G H)
for n in $INSTANCES; do
  pg -d postgres -c "DROP DATABASE IF EXISTS $BENCH_DATABASE" -c "CREATE DATABASE $BENCH_DATABASE" >/dev/null
  env "${env[@]}" dotnet src/Mcp.Web/bin/Release/net10.0/McpCqrs.Mcp.Web.dll migrate --contentRoot "$PWD/src/Mcp.Web" >"$work/migrate.log" 2>&1
  redis-cli -p "$REDIS_PORT" flushall >/dev/null
  urls=""; names=""
  for i in $(seq 1 "$n"); do
    port=$((BASE_PORT + i - 1)); name=${letters[i - 1]}
    env "${hosts[@]}" dotnet bench/peers/McpCqrsHost/bin/Release/net10.0/McpCqrs.Bench.Host.dll --contentRoot "$PWD/src/Mcp.Web" \
      --urls "http://127.0.0.1:$port" >"$work/host-$name.log" 2>&1 & pids+=($!)
    urls+="${urls:+,}http://127.0.0.1:$port/mcp"; names+="${names:+,}$name=${pids[-1]}"
  done
  for i in $(seq 1 "$n"); do
    port=$((BASE_PORT + i - 1))
    for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null && break; sleep 0.5; done
    curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null || { echo "instance on port $port did not start:" >&2; cat "$work"/host-*.log >&2; exit 1; }
  done
  # Warm-up (not reported): JIT, connection pools, Redis subscriptions.
  : >"$work/ledger"
  drain --count "$WARMUP" --millis 0 --slots $((n * WORKERS)) >/dev/null || { echo "warm-up drain on $n instance(s) failed" >&2; failed=1; }
  for millis in $MILLIS; do
    pg -d "$BENCH_DATABASE" -c 'TRUNCATE "McpTaskInputRequests", "McpTasks"' >/dev/null
    : >"$work/ledger"
    load=$(cut -d' ' -f1 /proc/loadavg)   # the machine is shared: its load when the run starts goes with the figures
    line=$(drain --count "$COUNT" --millis "$millis" --slots $((n * WORKERS))) || failed=1
    echo "$line; load at start $load"
  done
  stop_hosts
done
exit "$failed"
