#!/usr/bin/env bash
# Replica cold start through the gateway: inference at zero replicas -> first response to an `mlp`
# inference (the gateway holds the request, tells the AppHost, a replica starts from build output,
# preloads mlp (load + one run), becomes healthy and is put in rotation). N runs, p50, with the phases the
# AppHost logs for each replica (process start -> listening (runtime up) -> ready (healthy, preloaded))
# and the worker's own preload timings. Then the same request with a warm spare (min 1), side by side in
# the same stack, and the time from a burst (16 requests at once, target 4 per replica, max 4) at zero
# replicas to all four replicas ready.
# Usage: bench/replica-cold-start.sh [runs=10]   (CONFIG=Release to measure a Release build)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
config=${CONFIG:-Debug}
py=/usr/bin/python3

dotnet build AppHost -c "$config" -nologo -v:q >/dev/null
dll="$PWD/AppHost/bin/$config/net10.0/AppHost.dll"
free_port() { $py -I -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
state=$(mktemp -d /tmp/cold-bench.XXXXXX); chmod 755 "$state"
gw=$(free_port); dash=$(free_port)
dotnet "$dll" --AppHost:StateFolder="$state" --AppHost:Ports:gateway="$gw" --AppHost:DashboardPort="$dash" \
  --AppHost:Autoscale:inference:Min=0 --AppHost:Autoscale:inference:ScaleDownWindow=00:00:00 >"$state.log" 2>&1 &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$state" "$state.log"' EXIT
until curl -s "http://127.0.0.1:$gw/health" | grep -q '"status":"healthy"'; do
  kill -0 $pid 2>/dev/null || { cat "$state.log"; exit 1; }; sleep 0.05
done
token=$($py -I -c 'import json,sys;print(json.load(open(sys.argv[1]))["internal_token"])' "$state/run.json")
scale() { curl -s -H "X-Internal-Token: $token" "http://127.0.0.1:$dash/_internal/scale"; }
set_bounds() { curl -s -o /dev/null -X PUT -H "X-Internal-Token: $token" -H 'Content-Type: application/json' \
  -d "{\"min\":$1,\"max\":4}" "http://127.0.0.1:$dash/_internal/scale/inference"; }
body='{"inputs":[{"name":"x","shape":[1,64],"datatype":"FP32","data":['$(seq -s, 64 | sed 's/[0-9]*/0.5/g')']}],"parameters":{"cache":false}}'
infer() { curl -s -o /dev/null -w '%{time_total} %{http_code}\n' -H 'Content-Type: application/json' -d "$body" "http://127.0.0.1:$gw/v2/models/mlp/infer"; }
timed() { local r; r=$(infer); [ "${r#* }" = 200 ] || { echo "request failed: $r" >&2; exit 1; }; echo "${r% *}"; }
wait_zero() { until scale | grep -q '"inference":{"ready":0,"desired":0' && ! pgrep -f InferenceWorker.Gpu.dll -P $pid >/dev/null; do sleep 0.05; done; }

cold=() warm=()
for i in $(seq 1 "$runs"); do
  wait_zero
  cold+=("$(timed)")
done
set_bounds 1 && until scale | grep -q '"inference":{"ready":1'; do sleep 0.05; done
for i in $(seq 1 "$runs"); do
  warm+=("$(timed)")
done
load_warm=$(cut -d' ' -f1 /proc/loadavg)

# Burst: back to zero, then 16 requests at once with target 4 -> 4 replicas; time until 4 are ready.
curl -s -o /dev/null -X PUT -H "X-Internal-Token: $token" -H 'Content-Type: application/json' \
  -d '{"min":0,"max":4}' "http://127.0.0.1:$dash/_internal/scale/inference"
wait_zero
# The window is 0 s here, so spares go as soon as the burst is served: count "ready" events, not live replicas.
readies() { grep -c "inference-[0-9]*: ready" "$state.log" || true; }
before=$(readies)
t0=$($py -I -c 'import time;print(time.monotonic())')
burst=(); for i in $(seq 1 16); do infer >"$state.burst.$i" & burst+=($!); done
for _ in $(seq 1 3000); do [ $(( $(readies) - before )) -ge 4 ] && break; sleep 0.02; done
burst_ready=$(( $(readies) - before ))
burst_ms=$($py -I -c 'import time,sys;print(round((time.monotonic()-float(sys.argv[1]))*1000,1))' "$t0")
wait "${burst[@]}"   # the curls only: a bare `wait` would wait for the AppHost too
burst_ok=$(cat "$state".burst.* | grep -c ' 200$' || true); rm -f "$state".burst.*

p50() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1*1000} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
phase() { grep -o "inference-[0-9]*: $1 [0-9]* ms" "$state.log" | head -n "$runs" | awk '{print $3}' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
preload() { cat "$state"/logs/inference*.log 2>/dev/null | grep -o "Preloaded mlp: load [0-9.]* ms, first run [0-9.]* ms" | awk -v f="$1" '{print $f}' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "replica cold start ($config, $runs runs, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)):"
echo "  cold (0 replicas -> first response) p50 $(p50 "${cold[@]}") ms  [${cold[*]} s]"
echo "    phases p50: process start -> listening $(phase listening) ms, -> ready $(phase ready) ms (preload mlp: load $(preload 4) ms, first run $(preload 8) ms)"
echo "  warm spare (min 1) p50 $(p50 "${warm[@]}") ms  [${warm[*]} s]  (load $load_warm)"
echo "  burst of 16 at zero (target 4, max 4) -> $burst_ready of 4 replicas ready: $burst_ms ms, $burst_ok/16 answered 200 (load $(cut -d' ' -f1 /proc/loadavg))"
