#!/usr/bin/env bash
# Inference worker benchmark: real PostgreSQL and Redis on free ports, the Release builds, wrk as the client, one
# worker process per configuration and this build's gateway in front of it. Prints one line per figure; see
# docs/readme-inference.md.
#   bench/inference-bench.sh [seconds-per-run]        (default 5)
# The load goes through the gateway (VIA=gateway, the default) or straight to the worker (VIA=direct).
# WARMUP=S: an untimed wrk pass of S seconds before each measured one (ONLY_TARGETS defaults to 3).
# ONLY_TARGETS=1 [ROUNDS=3] [CONFIGS="on on-runners off"]: only issue 4's unmet targets, alternated in rounds: batch-1000 MLP throughput with JSON
#   vs binary tensor data bodies, and 64 concurrent single-item clients with batching on / on with a thread-pool floor
#   of 4 instead of 64 / on with a runner per core and one intra-op thread / off, for the MLP, a wide MLP (compute-bound, uploaded as wide-mlp) and melspectrogram.
# ONLY_BATCHING=1: the batching rows of the full run only.
# ONLY_THREADS=1 [ROUNDS=3]: Inference:ThreadPolicy fixed (every core) against measured (per model, at load), alternated
#   in rounds, each on a fresh worker: the MLP (JSON and binary) and melspectrogram at 1 and 64 clients.
# ONLY_BATCH1000=1 [ROUNDS=3] [GATEWAY_BEFORE=path/to/Gateway.dll]: MLP batch 1000 through the gateway only, JSON and
#   binary bodies, with the CPU milliseconds each process spent per request; with GATEWAY_BEFORE another build's gateway
#   runs beside this one (same worker) and the two are alternated in each round.
# Set GATEWAY=http://127.0.0.1:8080 to send the load through a running stack's gateway instead
# (then only the warm/cache/throughput figures run; cold-load figures need their own worker processes).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${1:-5}"
WORK="$(mktemp -d /tmp/benchplatform-bench.XXXXXX)"
PGBIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
free_port() { /usr/bin/python3 -I -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PIDS=()
cleanup() {
  for pid in "${PIDS[@]:-}"; do kill "$pid" 2>/dev/null || true; done
  [ -f "$WORK/pg/PG_VERSION" ] && runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/pg" stop -m immediate >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

dotnet build -c Release InferenceWorker.Gpu -v q -nologo >/dev/null
dotnet build -c Release Gateway -v q -nologo >/dev/null
DLL="InferenceWorker.Gpu/bin/Release/net10.0/InferenceWorker.Gpu.dll"
/usr/bin/python3 -I bench/inference-bodies.py "$WORK"
VIA="${VIA:-gateway}"
TOKEN="bench-internal-token"
WORKER_PORT=$(free_port); GATEWAY_PORT=$(free_port)

PG_PORT=$(free_port); REDIS_PORT=$(free_port)
mkdir -p "$WORK/pg" && chown postgres "$WORK" "$WORK/pg"
runuser -u postgres -- "$PGBIN/initdb" -D "$WORK/pg" -A trust >/dev/null
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/pg" -o "-p $PG_PORT -k $WORK/pg -c listen_addresses=127.0.0.1 -c fsync=off" -l "$WORK/pg.log" start >/dev/null
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no >/dev/null & PIDS+=($!)
sleep 1

COMMON=(ConnectionStrings__registry="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=postgres"
        ConnectionStrings__cache="127.0.0.1:$REDIS_PORT" Internal__Token="$TOKEN" Logging__LogLevel__Default=Warning)
GATEWAY_PID=""
start_gateway() { # dll port log → GATEWAY_PID; a gateway in front of the worker's port, with the internal token
  env "${COMMON[@]}" ASPNETCORE_URLS="http://127.0.0.1:$2" services__inference__http__0="http://127.0.0.1:$WORKER_PORT/" \
    dotnet "$1" >"$WORK/$3" 2>&1 &
  GATEWAY_PID=$!; PIDS+=("$GATEWAY_PID")
}
if [ "$VIA" = gateway ] && [ -z "${GATEWAY:-}" ]; then
  start_gateway Gateway/bin/Release/net10.0/Gateway.dll "$GATEWAY_PORT" gateway.log
  GATEWAY="http://127.0.0.1:$GATEWAY_PORT"
fi

WORKER_PID=""
start_worker() { # extra env assignments as arguments; the worker keeps one port so the gateway finds each new process
  env "${COMMON[@]}" Storage__Root="$WORK/store" ASPNETCORE_URLS="http://127.0.0.1:$WORKER_PORT" \
      Inference__IntraOpThreads="$(nproc)" ${EXTRA_ENV:-} "$@" dotnet "$DLL" >"$WORK/worker.log" 2>&1 &
  WORKER_PID=$!; PIDS+=("$WORKER_PID")
  URL="http://127.0.0.1:$WORKER_PORT"
  for _ in $(seq 1 200); do curl -sf -H "X-Internal-Token: $TOKEN" "$URL/v2/health/ready" >/dev/null && return; sleep 0.05; done
  echo "worker did not start"; cat "$WORK/worker.log"; exit 1
}
stop_worker() { kill "$WORKER_PID"; wait "$WORKER_PID" 2>/dev/null || true; }
warmup_field() {
  curl -sf -H "X-Internal-Token: $TOKEN" -X POST "$URL/v1/models/$1/warmup" | /usr/bin/python3 -I -c "import json,sys; d=json.load(sys.stdin); print(f\"load_ms={d['load_ms']} first_run_ms={d['first_run_ms']} optimized_cache={d['optimized_cache']} intra_op_threads={d['intra_op_threads']}\")"
  if [ -n "${GATEWAY:-}" ]; then # the gateway routes only once its probe sees the new process ready
    for _ in $(seq 1 400); do curl -sf "$GATEWAY/v2/models/$1/ready" >/dev/null && return; sleep 0.05; done
    echo "gateway did not see $1 ready" >&2; tail -5 "$WORK/gateway.log" >&2
  fi
}
upload() { curl -sf -H "X-Internal-Token: $TOKEN" -X POST -H 'Content-Type: application/octet-stream' --data-binary @"$2" "$URL/v1/models?name=$1" >/dev/null; }
load() { # name body connections [label]
  local target="${GATEWAY:-$URL}"
  local line hlen=""
  [ -f "$WORK/$2.hlen" ] && hlen=$(cat "$WORK/$2.hlen")
  if [ "${WARMUP:-0}" != 0 ]; then # untimed pass first: a fresh process runs tier-0 JIT code for its first seconds
    BODY="$WORK/$2" HLEN="$hlen" wrk -t"$(( $3 < 2 ? 1 : 2 ))" -c"$3" -d"${WARMUP}s" --timeout 10s -H "X-Internal-Token: $TOKEN" \
      -s bench/inference-wrk.lua "$target/v2/models/$1/infer" >/dev/null
  fi
  line=$(BODY="$WORK/$2" HLEN="$hlen" wrk -t"$(( $3 < 2 ? 1 : 2 ))" -c"$3" -d"${DURATION}s" --timeout 10s -H "X-Internal-Token: $TOKEN" \
    -s bench/inference-wrk.lua "$target/v2/models/$1/infer" | grep RESULT)
  echo "$line"
  if grep -q "requests=0 " <<<"$line"; then
    echo "  (no responses: worker log tail and one request follow)"; tail -5 "$WORK/worker.log"
    curl -s -m 10 -w ' status=%{http_code} time=%{time_total}' -H "X-Internal-Token: $TOKEN" -H 'Content-Type: application/json' --data-binary @"$WORK/$2" "$target/v2/models/$1/infer" | tail -c 200; echo
  fi
}

pred() { # RESULT line, rows → predictions/s
  local rps; rps=$(sed -E 's/.*rps=([0-9.]+).*/\1/' <<<"$1")
  /usr/bin/python3 -I -c "print(round($rps*$2))"
}

if [ -n "${ONLY_TARGETS:-}" ]; then
  WARMUP="${WARMUP:-3}"
  echo "# machine: $(nproc) cores; ${DURATION}s per run; via $VIA; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  dotnet build -c Release bench/inference-ceiling -v q -nologo >/dev/null
  dotnet bench/inference-ceiling/bin/Release/net10.0/InferenceCeiling.dll write-wide-mlp "$WORK/wide-mlp.onnx"
  /usr/bin/python3 -I - "$WORK" <<'PY'
import json, random, sys
random.seed(7)
data = [round(random.uniform(-1, 1), 4) for _ in range(784)]
json.dump({"inputs": [{"name": "x", "shape": [1, 784], "datatype": "FP32", "data": data}], "parameters": {"cache": False}}, open(f"{sys.argv[1]}/wide-1.json", "w"))
PY
  cp "$WORK/mlp-1.bin" "$WORK/wide-1.bin"; cp "$WORK/mlp-1.bin.hlen" "$WORK/wide-1.bin.hlen"
  start_worker Inference__RegisterSamples=true
  upload mel ../shared/models/melspectrogram.onnx; upload wide-mlp "$WORK/wide-mlp.onnx"
  for round in $(seq 1 "${ROUNDS:-3}"); do
    echo "## round $round, load average $(cut -d' ' -f1-3 /proc/loadavg)"
    stop_worker; start_worker; warmup_field mlp >/dev/null
    for body in mlp-1000.json mlp-1000.bin mlp-1000-out.bin; do
      line=$(load mlp $body 4); echo "mlp batch 1000, 4 clients, $body: $line predictions_per_s=$(pred "$line" 1000)"
    done
    for model in mlp wide-mlp mel; do
      short=${model%-mlp}; bodies="$short-1.json $short-1.bin"
      [ "$model" = mlp ] && bodies="mlp-1.json mlp-1.bin"
      for config in ${CONFIGS:-on on-runners off}; do
        case $config in
          on) stop_worker; start_worker ;;
          on-pool4) stop_worker; start_worker Inference__MinWorkerThreads=4 ;;
          on-runners) stop_worker; start_worker Inference__BatchRunners=0 Inference__IntraOpThreads=1 ;;
          off) stop_worker; start_worker Inference__DynamicBatching=false ;;
        esac
        warmup_field $model >/dev/null
        for body in $bodies; do echo "$model 64 clients batching $config, $body: $(load $model $body 64)"; done
      done
    done
  done
  echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
  exit 0
fi

cpu_ms() { # PID → CPU milliseconds so far (user + system)
  awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) * 1000 / hz }' "/proc/$1/stat"
}

if [ -n "${ONLY_BATCH1000:-}" ]; then
  WARMUP="${WARMUP:-3}"
  GATEWAYS=("after=$GATEWAY_PORT=$GATEWAY_PID")
  if [ -n "${GATEWAY_BEFORE:-}" ]; then
    BEFORE_PORT=$(free_port)
    start_gateway "$GATEWAY_BEFORE" "$BEFORE_PORT" gateway-before.log
    GATEWAYS=("before=$BEFORE_PORT=$GATEWAY_PID" "${GATEWAYS[@]}")
  fi
  echo "# machine: $(nproc) cores; ${DURATION}s per run; ${WARMUP}s warm-up; gateways: ${GATEWAYS[*]%%=*}; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  start_worker Inference__RegisterSamples=true; warmup_field mlp >/dev/null
  for round in $(seq 1 "${ROUNDS:-3}"); do
    echo "## round $round, load average $(cut -d' ' -f1-3 /proc/loadavg)"
    for body in mlp-1000.json mlp-1000.bin; do
      for entry in "${GATEWAYS[@]}"; do
        IFS== read -r label port pid <<<"$entry"
        for _ in $(seq 1 400); do curl -sf "http://127.0.0.1:$port/v2/models/mlp/ready" >/dev/null && break; sleep 0.05; done
        GATEWAY="http://127.0.0.1:$port"
        DURATION=$WARMUP WARMUP=0 load mlp $body 4 >/dev/null # untimed, so the CPU counted below is the measured pass's
        g0=$(cpu_ms "$pid"); w0=$(cpu_ms "$WORKER_PID")
        line=$(WARMUP=0 load mlp $body 4)
        g1=$(cpu_ms "$pid"); w1=$(cpu_ms "$WORKER_PID")
        requests=$(sed -E 's/.*requests=([0-9]+).*/\1/' <<<"$line")
        echo "$label $body: $line predictions_per_s=$(pred "$line" 1000) $(/usr/bin/python3 -I -c "r=max($requests,1); print(f'gateway_cpu_ms_per_request={($g1-$g0)/r:.2f} worker_cpu_ms_per_request={($w1-$w0)/r:.2f}')")"
      done
    done
  done
  echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
  exit 0
fi

if [ -n "${ONLY_THREADS:-}" ]; then
  WARMUP="${WARMUP:-3}"
  echo "# machine: $(nproc) cores; ${DURATION}s per run; ${WARMUP}s warm-up; via $VIA; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  start_worker Inference__RegisterSamples=true; upload mel ../shared/models/melspectrogram.onnx
  for round in $(seq 1 "${ROUNDS:-3}"); do
    echo "## round $round, load average $(cut -d' ' -f1-3 /proc/loadavg)"
    policies="fixed measured"; (( round % 2 == 0 )) && policies="measured fixed"
    for policy in $policies; do
      for model in mlp mel; do
        stop_worker; start_worker Inference__ThreadPolicy=$policy
        echo "$model $policy: $(warmup_field $model)"
        bodies="$model-1.json"; [ "$model" = mlp ] && bodies="mlp-1.json mlp-1.bin"
        for body in $bodies; do
          for clients in 1 64; do echo "$model $policy $clients clients, $body: $(load $model $body $clients)"; done
        done
      done
    done
  done
  echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
  exit 0
fi

if [ -n "${ONLY_BATCHING:-}" ]; then
  echo "# machine: $(nproc) cores; ${DURATION}s per run; 64 single-item clients; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  start_worker Inference__RegisterSamples=true
  upload mel ../shared/models/melspectrogram.onnx
  for model in mlp mel; do
    stop_worker; start_worker; warmup_field $model >/dev/null
    echo "$model batching on (delay 0):     $(load $model $model-1.json 64)"
    stop_worker; start_worker Inference__MaxQueueDelayMicroseconds=2000; warmup_field $model >/dev/null
    echo "$model batching on (delay 2 ms):  $(load $model $model-1.json 64)"
    stop_worker; start_worker Inference__DynamicBatching=false; warmup_field $model >/dev/null
    echo "$model batching off:              $(load $model $model-1.json 64)"
  done
  echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
  exit 0
fi

echo "# machine: $(nproc) cores, $(uname -r); ONNX Runtime CPU; ${DURATION}s per run; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
# The registry is pristine: the worker registers its sample models (mlp among them) at start.
start_worker Inference__RegisterSamples=true
upload mel ../shared/models/melspectrogram.onnx
echo "## cold load (fresh process, POST /v1/models/{name}/warmup)"
for model in mlp mel; do
  rm -rf "$WORK/store/ort-cache"; stop_worker; start_worker
  echo "cold $model full, optimized cache empty: $(warmup_field $model)"
  stop_worker; start_worker
  echo "cold $model full, optimized cache warm:  $(warmup_field $model)"
  stop_worker; start_worker Inference__Optimization=eager
  echo "cold $model eager:                       $(warmup_field $model)"
done

for mode in full eager; do
  stop_worker; start_worker Inference__Optimization=$mode
  warmup_field mlp >/dev/null; warmup_field mel >/dev/null
  echo "## warm, one client, batch 1 ($mode)"
  echo "mlp warm batch1 uncached ($mode): $(load mlp mlp-1.json 1)"
  echo "mel warm batch1 uncached ($mode): $(load mel mel-1.json 1)"
done

stop_worker; start_worker
warmup_field mlp >/dev/null; warmup_field mel >/dev/null
echo "## cache hit, one client"
echo "mlp cache hit: $(load mlp mlp-1-cached.json 1)"
echo "mel cache hit: $(load mel mel-1-cached.json 1)"
echo "## throughput, uncached, 4 clients (predictions/s = rps x batch)"
for rows in 1 10 100 1000; do
  line=$(load mlp "mlp-$rows.json" 4)
  rps=$(sed -E 's/.*rps=([0-9.]+).*/\1/' <<<"$line")
  echo "mlp batch $rows: $line predictions_per_s=$(/usr/bin/python3 -I -c "print(round($rps*$rows))")"
done
echo "## 64 concurrent single-item clients, uncached (on/off alternated twice: the machine is shared)"
for round in 1 2; do
  stop_worker; start_worker; warmup_field mlp >/dev/null
  echo "round $round mlp batching on (delay 0):    $(load mlp mlp-1.json 64)"
  stop_worker; start_worker Inference__DynamicBatching=false; warmup_field mlp >/dev/null
  echo "round $round mlp batching off:             $(load mlp mlp-1.json 64)"
done
stop_worker; start_worker Inference__MaxQueueDelayMicroseconds=2000; warmup_field mlp >/dev/null
echo "mlp batching on (delay 2 ms):         $(load mlp mlp-1.json 64)"
stop_worker
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
