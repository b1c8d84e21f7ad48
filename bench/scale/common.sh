# Shared by bench/scale/streams.sh and bench/scale/instances.sh: builds, starts and stops hosts of our bench host
# (bench/peers/McpCqrsHost, Release, logging at Warning) and runs the scale harness (bench/FanOut). Source it from the
# repository root after `set -euo pipefail`; everything started here is stopped by `stop_all` (the callers trap EXIT).

HOST_DLL=bench/peers/McpCqrsHost/bin/Release/net10.0/McpCqrs.Bench.Host.dll
FANOUT_DLL=bench/FanOut/bin/Release/net10.0/McpCqrs.Bench.FanOut.dll
STARTED=()

build_all() {
  dotnet build bench/peers/McpCqrsHost -c Release -v q -nologo >/dev/null
  dotnet build bench/FanOut -c Release -v q -nologo >/dev/null
}

# start_host PORT LOG [VAR=value ...]: starts one host in the background with the given extra environment; its PID is
# in $HOST_PID (and in STARTED). The common settings: production, anonymous callers allowed, keep-alives every
# KEEPALIVE (default 15 s, the host's default); HOST_ENV adds VAR=value words to every host (e.g. runtime settings).
start_host() {
  local port=$1 log=$2; shift 2
  # shellcheck disable=SC2086
  env ASPNETCORE_ENVIRONMENT=Production Auth__Backend=AllowAny Auth__AllowAnyOutsideDevelopment=true Mcp__RequestStateKey="$(openssl rand -base64 32)" \
    Mcp__KeepAliveInterval="${KEEPALIVE:-00:00:15}" ${HOST_ENV:-} "$@" \
    dotnet "$HOST_DLL" --contentRoot "$PWD/src/Mcp.Web" --urls "http://127.0.0.1:$port" >"$log" 2>&1 &
  HOST_PID=$!
  STARTED+=("$HOST_PID")
}

# wait_ready PORT: until the host answers /health/ready.
wait_ready() {
  for _ in $(seq 1 120); do
    curl -fs -o /dev/null "http://127.0.0.1:$1/health/ready" && return 0
    sleep 0.5
  done
  echo "the host on port $1 did not get ready" >&2; return 1
}

# stop_pid PID: SIGTERM, then wait for it.
stop_pid() {
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

stop_all() {
  local pid
  for pid in "${STARTED[@]}"; do stop_pid "$pid"; done
  STARTED=()
}

# warm_up URL: a short fan-out (200 streams, 100 notifications each) so the JIT has compiled the paths measured.
warm_up() { dotnet "$FANOUT_DLL" "$1" 200 100 >/dev/null; }

# scale ARGS...: one scale run of the harness; prints its result line.
scale() { dotnet "$FANOUT_DLL" scale "$@"; }
