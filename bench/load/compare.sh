#!/usr/bin/env bash
# Side by side, same machine, same load: tools/call of an `echo` tool in both protocol eras.
#   2025-11-25 (sessions):    floor, sdk  (the official C# SDK 2.4, HttpServerSessionMode.Stateful), ours
#   2026-07-28 (stateless):   floor, sdkx (the same SDK, HttpServerSessionMode.Stateless),          ours
# floor - bare Kestrel parsing JSON-RPC and writing a CallToolResult (bench/peers/Floor), logging at Warning like
#         every peer; ours - this host with the full pipeline (bench/peers/McpCqrsHost). All run Release.
# with wrk (Debian package), THREADS threads and CONNECTIONS connections (one session in the session era). The
# peers run side by side and are loaded in turn, ROUNDS times (each era, each peer, each round starting with the next
# peer), so a slow spell of a shared machine falls on all of them; the tables show each one's median requests/s, p50 and p99 over the rounds, our
# ratios of those medians and the median of each round's own ratios. Then session churn (initialize + tools/call + DELETE) against the SDK's sessions. Stops what it started.
# Each peer is first warmed up in its era(s) for WARMUP (tiered JIT with dynamic PGO needs many seconds of it).
#   bench/load/compare.sh                      # 15 s warm-up, 5 rounds of 8 s each, 2 threads, 32 connections
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install wrk" >&2; exit 1; }
DURATION=${DURATION:-8s}; THREADS=${THREADS:-2}; CONNECTIONS=${CONNECTIONS:-32}; ROUNDS=${ROUNDS:-5}; WARMUP=${WARMUP:-15s}
source bench/load/lib.sh
work=$(mktemp -d); pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"' EXIT

for p in Floor SdkPeer McpCqrsHost; do dotnet build "bench/peers/$p" -c Release -v q -nologo >/dev/null; done
dll() { echo "bench/peers/$1/bin/Release/net10.0/McpCqrs.Bench.$2.dll"; }
declare -A port=([floor]=5191 [sdk]=5192 [ours]=5193 [sdkx]=5194) session
declare -A peers=([session]="floor sdk ours" [stateless]="floor sdkx ours")
eras=(session stateless)

start() { # name command...
  local name=$1; shift
  "$@" --urls "http://127.0.0.1:${port[$name]}" >"$work/$name.log" 2>&1 & pids+=($!)
}

start floor dotnet "$(dll Floor Floor)"
start sdk dotnet "$(dll SdkPeer SdkPeer)" --SessionMode Stateful
start sdkx dotnet "$(dll SdkPeer SdkPeer)" --SessionMode Stateless
start_ours "$PWD" "${port[ours]}" "$work/ours.log" "$work/bench.db"; pids+=("$OURS_PID")

url() { echo "http://127.0.0.1:${port[$1]}/mcp"; }
for n in floor sdk sdkx ours; do wait_ready "$(url "$n")"; done
for n in floor sdk ours; do session[$n]=$(open_session "$(url "$n")"); done
for era in "${eras[@]}"; do
  for n in ${peers[$era]}; do
    line=$(load_era "$(url "$n")" "$era" "${session[$n]:-}" "$WARMUP")
    grep -q ' errors 0  non-2xx/JSON-RPC errors 0' <<<"$line" || { echo "warm-up of $n ($era) failed: $line" >&2; exit 1; }
  done
done

# Each round starts one peer further along (floor sdk ours, sdk ours floor, ours floor sdk, ...): no peer always runs
# right after the same one (the one before may still be collecting or compiling what its load left).
for r in $(seq 1 "$ROUNDS"); do
  for era in "${eras[@]}"; do
    read -ra order <<<"${peers[$era]}"; shift_by=$(( (r - 1) % ${#order[@]} ))
    for n in "${order[@]:shift_by}" "${order[@]:0:shift_by}"; do
      line=$(load_era "$(url "$n")" "$era" "${session[$n]:-}" "$DURATION" --latency)
      echo "round $r $era $n: $line"
      record "$work/results" "$era" "$n" "$line"
      echo "$r $(tail -n 1 "$work/results")" >>"$work/rounds"
    done
  done
done

for era in "${eras[@]}"; do
  set -- ${peers[$era]}; sdk=$2
  printf '\n%s, median of %s rounds\n%-6s %10s %9s %9s\n' "$era" "$ROUNDS" peer 'req/s' 'p50 ms' 'p99 ms'
  for n in ${peers[$era]}; do printf '%-6s %10s %9s %9s\n' "$n" "$(median_of "$work/results" "$era" "$n" 3)" "$(median_of "$work/results" "$era" "$n" 4)" "$(median_of "$work/results" "$era" "$n" 5)"; done
  awk -v o="$(median_of "$work/results" "$era" ours 3)" -v f="$(median_of "$work/results" "$era" floor 3)" -v s="$(median_of "$work/results" "$era" "$sdk" 3)" \
      -v op="$(median_of "$work/results" "$era" ours 5)" -v fp="$(median_of "$work/results" "$era" floor 5)" -v sdk="$sdk" 'BEGIN {
    printf "ours / floor: %.2f of the requests/s, p99 %.2fx the floor'"'"'s\n", o / f, op / fp
    printf "ours / %s: %.2fx the requests/s\n", sdk, o / s }'
  # The same ratios within each round (its peers loaded one after another), then their median: a slow spell of the
  # shared machine moves a round's peers together, so these move less than the ratio of the medians above.
  for peer in floor "$sdk"; do
    awk -v e="$era" -v p="$peer" '$2 == e && $3 == p { other[$1] = $4 } $2 == e && $3 == "ours" { ours[$1] = $4 }
      END { for (r in ours) if (r in other) print ours[r] / other[r] }' "$work/rounds" | median |
      awk -v p="$peer" '{ printf "ours / %s, median of the rounds'"'"' ratios: %.2f\n", p, $1 }'
  done
done

# Session churn (the floor has no sessions): initialize -> tools/call -> DELETE, CHURN_CONNECTIONS connections
# (one per wrk thread: the script keeps each connection's session id in its thread), after a warm-up.
CHURN_CONNECTIONS=${CHURN_CONNECTIONS:-8}
printf '\nsession churn (initialize + tools/call + DELETE), %s connections\n' "$CHURN_CONNECTIONS"
for n in sdk ours; do
  wrk -t"$CHURN_CONNECTIONS" -c"$CHURN_CONNECTIONS" -d5s -s bench/load/mcp-churn.lua "$(url "$n")" >/dev/null
  printf '%-6s %s\n' "$n" "$(wrk -t"$CHURN_CONNECTIONS" -c"$CHURN_CONNECTIONS" -d"$DURATION" -s bench/load/mcp-churn.lua "$(url "$n")" | tail -n 1)"
done
