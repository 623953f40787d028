#!/usr/bin/env bash
# Inference worker start-up, build against build: CPU time and wall time to the ready line, and what the JIT compiled
# before it (count, time), with each build started in turn (round by round, so they share the machine's load) in the
# environment of a replica of the running stack (`dotnet run --project AppHost` first), on a port of its own.
# Usage: bench/worker-start-cpu.sh ROUNDS label=path/to/InferenceWorker.Gpu.dll [label=… …]
#   e.g. bench/worker-start-cpu.sh 3 now=InferenceWorker.Gpu/bin/Release/net10.0/r2r/InferenceWorker.Gpu.dll \
#          before=/elsewhere/InferenceWorker.Gpu/bin/Release/net10.0/r2r/InferenceWorker.Gpu.dll
#   JIT_LIST=dir   also write each run's list of JIT-compiled methods (DOTNET_JitDisasmSummary) to dir/label-round.txt
set -euo pipefail
rounds=${1:?rounds}; shift
(($# > 0)) || { echo "name at least one label=worker.dll" >&2; exit 2; }
live=$(pgrep -f 'r2r/InferenceWorker.Gpu.dll' | while read -r pid; do
  tr '\0' '\n' < /proc/$pid/environ 2>/dev/null | grep -q '^ConnectionStrings__registry=' && echo "$pid"; done | head -1)
[[ -n $live ]] || { echo "no replica of a running stack found: start it with dotnet run --project AppHost" >&2; exit 2; }
mapfile -d '' environment < /proc/$live/environ
work=$(mktemp -d -t worker-start-cpu.XXXXXX)
trap 'rm -rf "$work"' EXIT
port=39100
echo "$(date -u +%H:%M:%S) UTC, load $(cut -d' ' -f1-3 /proc/loadavg), environment of pid $live"
for ((round = 1; round <= rounds; round++)); do
  for build in "$@"; do
    label=${build%%=*} dll=${build#*=}
    port=$((port + 1))
    vars=()
    for e in "${environment[@]}"; do
      case "$e" in
        ASPNETCORE_URLS=*) vars+=("ASPNETCORE_URLS=http://127.0.0.1:$port") ;;  # TCP only: the replica keeps its socket
        DOTNET_Jit*) ;;
        *) vars+=("$e") ;;
      esac
    done
    [[ -n ${JIT_LIST:-} ]] && mkdir -p "$JIT_LIST" && vars+=("DOTNET_JitStdOutFile=$JIT_LIST/$label-$round.txt" "DOTNET_JitDisasmSummary=1")
    log=$work/$label-$round.log
    started=$(date +%s%N)
    env -i "${vars[@]}" "$(command -v dotnet)" "$dll" > "$log" 2>&1 &
    pid=$!
    for _ in $(seq 1 1200); do
      grep -aq 'worker ready' "$log" && break
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.05
    done
    wall=$((($(date +%s%N) - started) / 1000000))
    cpu=$(awk '{print ($14 + $15) * 10}' /proc/$pid/stat 2>/dev/null || echo "?")
    if grep -aq 'worker ready' "$log"; then
      jit=$(grep -ao 'the JIT compiled [0-9]* methods in [0-9]* ms' "$log" || echo "(a build whose ready line has no JIT figures)")
    else
      jit="(no ready line: its last output below)"
    fi
    printf '%-10s round %d: cpu %5s ms, wall %5d ms; %s\n' "$label" "$round" "$cpu" "$wall" "$jit"
    grep -aq 'worker ready' "$log" || tail -5 "$log"
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
done
echo "$(date -u +%H:%M:%S) UTC, load $(cut -d' ' -f1-3 /proc/loadavg)"
