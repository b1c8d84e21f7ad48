#!/usr/bin/env bash
# Our host at two git revisions, side by side, same machine, same load: tools/call of the `echo` tool in each era
# (2025-11-25 in a session, 2026-07-28 stateless), with wrk (Debian package). Both hosts run at once and are loaded
# in turn, ROUNDS times (a, b, a, b, ...), so a slow spell of a shared machine falls on both; the table shows each
# one's median requests/s, p50 and p99 over the rounds, and b's ratio to a. Use it to show that a change is not
# slower than what it replaces. Stops everything it started.
#   bench/load/ab.sh                 # a = main, b = the working tree; 15 s warm-up, 5 rounds of 8 s
#   A=v1.2 bench/load/ab.sh          # a = any revision git knows
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install wrk" >&2; exit 1; }
A=${A:-main}; DURATION=${DURATION:-8s}; THREADS=${THREADS:-2}; CONNECTIONS=${CONNECTIONS:-32}; ROUNDS=${ROUNDS:-5}; WARMUP=${WARMUP:-15s}
source bench/load/lib.sh
work=$(mktemp -d); pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; git worktree remove --force "$work/a" 2>/dev/null || true; rm -rf "$work"' EXIT

git worktree add --detach -q "$work/a" "$A"
for tree in "$work/a" "$PWD"; do dotnet build "$tree/bench/peers/McpCqrsHost" -c Release -v q -nologo >/dev/null; done
declare -A root=([a]="$work/a" [b]="$PWD") port=([a]=5201 [b]=5202) session
url() { echo "http://127.0.0.1:${port[$1]}/mcp"; }

for n in a b; do
  start_ours "${root[$n]}" "${port[$n]}" "$work/$n.log" "$work/$n.db"; pids+=("$OURS_PID")
done

for n in a b; do
  wait_ready "$(url "$n")"
  session[$n]=$(open_session "$(url "$n")")
  for era in session stateless; do load_era "$(url "$n")" "$era" "${session[$n]}" "$WARMUP" >/dev/null; done
done

for r in $(seq 1 "$ROUNDS"); do
  for era in session stateless; do
    for n in a b; do
      line=$(load_era "$(url "$n")" "$era" "${session[$n]}" "$DURATION" --latency)
      echo "round $r $era $n: $line"
      record "$work/results" "$era" "$n" "$line"
    done
  done
done

printf '\na = %s, b = the working tree; median of %s rounds\n%-10s %-4s %10s %9s %9s\n' "$A" "$ROUNDS" era peer 'req/s' 'p50 ms' 'p99 ms'
for era in session stateless; do
  for n in a b; do printf '%-10s %-4s %10s %9s %9s\n' "$era" "$n" "$(median_of "$work/results" "$era" "$n" 3)" "$(median_of "$work/results" "$era" "$n" 4)" "$(median_of "$work/results" "$era" "$n" 5)"; done
  awk -v a="$(median_of "$work/results" "$era" a 3)" -v b="$(median_of "$work/results" "$era" b 3)" -v e="$era" 'BEGIN { printf "%-10s b / a: %.2f of the requests/s\n", e, b / a }'
done
