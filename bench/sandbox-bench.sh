#!/usr/bin/env bash
# SandboxRunner benchmark: trivial block warm and cold p50/p99, runs/s at 1/8/32 concurrency, and the
# execution-mode comparison (in-process vs jailed) per complexity level.
#
#   bench/sandbox-bench.sh                 # starts the runner itself (Release build) and measures it directly
#   GATEWAY=http://127.0.0.1:8080 bench/sandbox-bench.sh
#                                          # measures through a running gateway (stack started with the AppHost);
#                                          # the cold part then needs the stack's sandbox started with
#                                          # Sandbox__PoolSize=0 Sandbox__IdleTimeoutMs=0, so it is skipped
# Needs: wrk, curl, /usr/bin/python3, the .NET SDK. DURATION (seconds per wrk run, default 10).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10}
TOKEN=bench-token-$$
PORT=${PORT:-5181}
PIDS=()
cleanup() { for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done; true; }
trap cleanup EXIT

start_runner() { # $@: extra environment
  env ASPNETCORE_URLS=http://127.0.0.1:$PORT Internal__Token=$TOKEN Logging__LogLevel__Default=Warning "$@" \
    dotnet SandboxRunner/bin/Release/net10.0/SandboxRunner.dll >/tmp/sandbox-bench-runner.log 2>&1 &
  PIDS+=($!)
  for _ in $(seq 200); do curl -sf http://127.0.0.1:$PORT/health >/dev/null && return 0; sleep 0.1; done
  echo "runner did not become healthy:"; cat /tmp/sandbox-bench-runner.log; exit 1
}
stop_runner() { cleanup; PIDS=(); }

wrk_run() { # $1 label, $2 connections, $3 url
  local out
  out=$(TOKEN=${BENCH_TOKEN-$TOKEN} wrk -t "$(( $2 < 2 ? 1 : 2 ))" -c "$2" -d "${DURATION}s" --latency -s bench/sandbox-post.lua "$3/v1/blocks/run")
  local p50 p99 rps errors
  p50=$(awk '/^ +50%/{print $2}' <<<"$out"); p99=$(awk '/^ +99%/{print $2}' <<<"$out")
  rps=$(awk '/^Requests\/sec/{print $2}' <<<"$out"); errors=$(awk '/Non-2xx/{print $5}' <<<"$out")
  echo "| $1 | $2 | $p50 | $p99 | $rps | ${errors:-0} |"
}

echo "machine: $(nproc) cores, $(uname -r), $(date -u +%FT%TZ)"
dotnet build SandboxRunner -c Release -v q -nologo >/dev/null

if [ -n "${GATEWAY:-}" ]; then
  URL=$GATEWAY; BENCH_TOKEN=""
  echo "target: gateway $URL"
else
  start_runner Sandbox__PoolSize=4 Sandbox__MaxJails=4
  URL=http://127.0.0.1:$PORT
  echo "target: runner $URL (direct, pool 4, max jails 4)"
fi

echo; echo "### trivial block, warm"
echo "| case | connections | p50 | p99 | runs/s | non-2xx |"; echo "| --- | ---: | ---: | ---: | ---: | ---: |"
for c in 1 8 32; do wrk_run "warm" "$c" "$URL"; done

if [ -z "${GATEWAY:-}" ]; then
  stop_runner
  start_runner Sandbox__PoolSize=0 Sandbox__IdleTimeoutMs=0 Sandbox__MaxJails=4
  echo; echo "### trivial block, cold (pool size 0: every run starts a new jail)"
  echo "| case | connections | p50 | p99 | runs/s | non-2xx |"; echo "| --- | ---: | ---: | ---: | ---: | ---: |"
  wrk_run "cold" 1 "$URL"
  wrk_run "cold" 4 "$URL"
  stop_runner
  start_runner Sandbox__PoolSize=2 Sandbox__MaxJails=2
fi

echo; echo "### execution modes (same block in-process vs jailed over HTTP)"
/usr/bin/python3 -I bench/sandbox-modes.py "$URL" "${BENCH_TOKEN-$TOKEN}"
