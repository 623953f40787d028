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
#   e.g. the ReadyToRun cut: VARIANT="il=$PWD/InferenceWorker.Gpu/bin/Release/net10.0/InferenceWorker.Gpu.dll"
#   (the default runs the worker's r2r/ publish; the IL build output sits one folder up)
set -euo pipefail
cd "$(dirname "$0")/.."
config=${CONFIG:-Debug}
dotnet build AppHost -c "$config" -nologo -v:q >/dev/null
CONFIG=$config /usr/bin/python3 -I bench/replica_cold_start.py "$@"
