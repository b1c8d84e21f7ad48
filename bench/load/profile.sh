#!/usr/bin/env bash
# Where a request's processor time goes: our bench host (or the floor) under compare.sh's tools/call echo load in one
# era, sampled with perf (Debian package linux-perf) for PROFILE_SECONDS after WARMUP, with the runtime's perf map on so
# JIT-compiled frames have names. Prints microseconds per request by module of the sampled frame (kernel, runtime,
# each assembly), then by stage of the MCP path (inclusive). Both run as compare.sh runs them (Release, Warning logs).
# Stops what it started. Needs perf_event_paranoid <= 2 for your own processes (the default) or root.
#   bench/load/profile.sh session            # 2025-11-25 in a session; `stateless` for 2026-07-28
#   TARGET=floor bench/load/profile.sh session
#   PROFILE_OUT=DIR ...   # keeps perf's samples as text in DIR/TARGET-ERA.txt
set -euo pipefail
cd "$(dirname "$0")/../.."
for tool in wrk perf python3; do command -v "$tool" >/dev/null || { echo "$tool is not installed (wrk, linux-perf, python3: apt-get install)" >&2; exit 1; }; done
ERA=${1:-session}; TARGET=${TARGET:-ours}; WARMUP=${WARMUP:-15s}; PROFILE_SECONDS=${PROFILE_SECONDS:-10}; THREADS=${THREADS:-2}; CONNECTIONS=${CONNECTIONS:-32}
source bench/load/lib.sh
work=$(mktemp -d); pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"' EXIT

perfmap=(DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0)
if [ "$TARGET" = floor ]; then
  dotnet build bench/peers/Floor -c Release -v q -nologo >/dev/null
  env "${perfmap[@]}" dotnet bench/peers/Floor/bin/Release/net10.0/McpCqrs.Bench.Floor.dll --urls http://127.0.0.1:5197 >"$work/host.log" 2>&1 &
  host=$!
else
  dotnet build bench/peers/McpCqrsHost -c Release -v q -nologo >/dev/null
  start_ours "$PWD" 5197 "$work/host.log" "$work/bench.db" "${perfmap[@]}"
  host=$OURS_PID
fi
pids+=("$host")
url=http://127.0.0.1:5197/mcp
wait_ready "$url"
session=$([ "$ERA" = session ] && open_session "$url" || true)
load_era "$url" "$ERA" "$session" "$WARMUP" >/dev/null
sample_under_load "$host" "$PROFILE_SECONDS" "$work/load.line" load_era "$url" "$ERA" "$session" "$((PROFILE_SECONDS + 4))s"
rps=$(rps_of "$work/load.line")
echo "$TARGET, $ERA: $(cat "$work/load.line")"
[ -z "${PROFILE_OUT:-}" ] || { mkdir -p "$PROFILE_OUT"; cp "$work/load.line.txt" "$PROFILE_OUT/$TARGET-$ERA.txt"; }
python3 bench/load/perf-breakdown.py "$work/load.line.txt" "$((rps * PROFILE_SECONDS))" 0.001001 \
  'HttpProtocol+<ProcessRequests>' 'HostingApplication::CreateContext' 'EndpointMiddleware::Invoke' \
  'McpHttpTransport+<PostAsync>' 'McpHttpTransport+<ReadBodyAsync>' 'McpHttpTransport+<RequireSessionAsync>' 'StatelessEraPolicy::Admit' \
  'McpDispatcher+<DispatchAsync>' 'Mediator::Send' 'TracingBehavior' 'RateLimitBehavior' 'McpCallToolHandler::ToResult' \
  'JsonRpcWire::Response' 'StatelessEraPolicy::Complete' 'CompleteAsync' 'Microsoft.Extensions.DependencyInjection'
