#!/usr/bin/env bash
# Replica cold start through the gateway (issue 7): inference scaled to zero with `PUT max 0`, then the first
# response to an uncached `mlp` inference, p50 of N, with its phases (demand at the AppHost, process start,
# Kestrel listening, preload done, ready, first response); the same request warm (min 1); the next request
# with a warm spare (buffer 1); and a burst of 64 at zero replicas (target 8, max 4) -> 4 replicas ready.
# Usage: bench/replica-cold-start.sh [runs=10]
#   CONFIG=Release            measure a Release build
#   VARIANT="r2r=/path/InferenceWorker.Gpu.dll …"   also run the cold starts with other worker build outputs,
#                             interleaved round by round with the default build (side by side, same load)
#   COLD_ONLY=1               only the cold starts (and variants), not warm/burst/spare
#   R2R=1                     shorthand: publish the worker ReadyToRun and JIT-only to /tmp and compare
#                             those two with the default build output
set -euo pipefail
cd "$(dirname "$0")/.."
config=${CONFIG:-Debug}
dotnet build AppHost -c "$config" -nologo -v:q >/dev/null
if [ "${R2R:-0}" = 1 ]; then
  out=$(mktemp -d /tmp/cold-variants.XXXXXX)
  trap 'rm -rf "$out"' EXIT
  for v in jit r2r; do
    flag=false; [ $v = r2r ] && flag=true
    dotnet publish InferenceWorker.Gpu -c "$config" -r linux-x64 --self-contained false -p:PublishReadyToRun=$flag \
      -p:WorkerReadyToRun=false -o "$out/$v" -nologo -v:q >/dev/null
  done
  export VARIANT="${VARIANT:-} publish-jit=$out/jit/InferenceWorker.Gpu.dll publish-r2r=$out/r2r/InferenceWorker.Gpu.dll"
fi
CONFIG=$config /usr/bin/python3 -I bench/replica_cold_start.py "$@"
