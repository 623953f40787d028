#!/usr/bin/env bash
# A real infer of the sample MLP (1 row, cache off), direct to one inference worker and through the full gateway,
# in alternating rounds in one run (issue 3's target: through-gateway throughput ≥ 0.6× direct). Real PostgreSQL
# and Redis on free ports, Release builds, wrk as the client; the worker registers its sample models at start.
#   [ROUNDS=3] [GATEWAY_BEFORE=/path/to/Gateway.dll] bench/gateway-mlp.sh [seconds per cell, default 5]
# Every target is warmed (WARMUP seconds, default 15, at 1 and at 32 connections) before the measured rounds.
# The worker listens on its loopback port and, as the AppHost starts it, on a Unix domain socket in an owner-only folder.
# Targets: direct (the worker over TCP), bare (a YARP host with no features, bench/gateway-overhead, over TCP), bare-uds (the
# same over the socket), gateway (this build, told the socket as the AppHost tells it), gw-tcp (this build, TCP only: the
# socket is not named), gw-notel (this build over the socket, OTEL_SDK_DISABLED=true) and, when GATEWAY_BEFORE names another
# build's Gateway.dll, gw-before (that build), so a change is measured side by side.
# Each cell also reports the CPU time per request of the client (wrk), the proxy and the worker (user + system).
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-5}"; rounds="${ROUNDS:-3}"
work="$(mktemp -d /tmp/benchplatform-gwmlp.XXXXXX)"
pgbin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
free_port() { /usr/bin/python3 -I -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
pids=()
cleanup() {
  for pid in "${pids[@]:-}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -f "$work/pg/PG_VERSION" ] && runuser -u postgres -- "$pgbin/pg_ctl" -D "$work/pg" stop -m immediate >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "building (Release)…" >&2
dotnet build -c Release InferenceWorker.Gpu -v q -nologo >/dev/null
dotnet build -c Release Gateway -v q -nologo >/dev/null
dotnet build -c Release bench/gateway-overhead -v q -nologo >/dev/null
/usr/bin/python3 -I bench/inference-bodies.py "$work"

pg_port=$(free_port); redis_port=$(free_port); worker_port=$(free_port); gateway_port=$(free_port)
notel_port=$(free_port); before_port=$(free_port); bare_port=$(free_port); bare_uds_port=$(free_port); tcp_port=$(free_port)
mkdir -m 700 "$work/sockets"; socket="$work/sockets/inference-0.sock"
token="bench-internal-token"
mkdir -p "$work/pg" && chown postgres "$work" "$work/pg"
runuser -u postgres -- "$pgbin/initdb" -D "$work/pg" -A trust >/dev/null
runuser -u postgres -- "$pgbin/pg_ctl" -D "$work/pg" -o "-p $pg_port -k $work/pg -c listen_addresses=127.0.0.1 -c fsync=off" -l "$work/pg.log" start >/dev/null
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no >/dev/null & pids+=($!)

common=(ConnectionStrings__registry="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=postgres"
        ConnectionStrings__cache="127.0.0.1:$redis_port" Internal__Token="$token" Logging__LogLevel__Default=Warning)
declare -A pid_of
env "${common[@]}" Storage__Root="$work/store" ASPNETCORE_URLS="http://127.0.0.1:$worker_port;http://unix:$socket" \
  Inference__RegisterSamples=true Inference__IntraOpThreads=1 \
  dotnet InferenceWorker.Gpu/bin/Release/net10.0/InferenceWorker.Gpu.dll >"$work/worker.log" 2>&1 & pids+=($!); pid_of[direct]=$!
env "${common[@]}" ASPNETCORE_URLS="http://127.0.0.1:$gateway_port" services__inference__http__0="http://127.0.0.1:$worker_port/" \
  dotnet Gateway/bin/Release/net10.0/Gateway.dll >"$work/gateway.log" 2>&1 & pids+=($!); pid_of[gateway]=$!
env "${common[@]}" ASPNETCORE_URLS="http://127.0.0.1:$tcp_port" services__inference__http__0="http://127.0.0.1:$worker_port/" \
  dotnet Gateway/bin/Release/net10.0/Gateway.dll >"$work/gateway-tcp.log" 2>&1 & pids+=($!); pid_of[gw-tcp]=$!
env "${common[@]}" ASPNETCORE_URLS="http://127.0.0.1:$notel_port" services__inference__http__0="http://127.0.0.1:$worker_port/" \
  OTEL_SDK_DISABLED=true dotnet Gateway/bin/Release/net10.0/Gateway.dll >"$work/gateway-notel.log" 2>&1 & pids+=($!); pid_of[gw-notel]=$!
dotnet bench/gateway-overhead/bin/Release/net10.0/GatewayOverhead.dll bare-proxy "$bare_port" "http://127.0.0.1:$worker_port/" \
  >"$work/bare.log" 2>&1 & pids+=($!); pid_of[bare]=$!
dotnet bench/gateway-overhead/bin/Release/net10.0/GatewayOverhead.dll bare-proxy "$bare_uds_port" "http://127.0.0.1:$worker_port/" "$socket" \
  >"$work/bare-uds.log" 2>&1 & pids+=($!); pid_of[bare-uds]=$!
targets=(${TARGETS:-direct bare bare-uds gateway gw-tcp gw-notel})
if [ -n "${GATEWAY_BEFORE:-}" ]; then
  env "${common[@]}" ASPNETCORE_URLS="http://127.0.0.1:$before_port" services__inference__http__0="http://127.0.0.1:$worker_port/" \
    dotnet "$GATEWAY_BEFORE" >"$work/gateway-before.log" 2>&1 & pids+=($!); pid_of[gw-before]=$!
  targets+=(gw-before)
fi
declare -A port=([bare]=$bare_port [bare-uds]=$bare_uds_port [gateway]=$gateway_port [gw-tcp]=$tcp_port [gw-notel]=$notel_port [gw-before]=$before_port)

for _ in $(seq 1 300); do
  curl -sf -H "X-Internal-Token: $token" "http://127.0.0.1:$worker_port/v2/models/mlp/ready" >/dev/null \
    && curl -sf "http://127.0.0.1:$gateway_port/v2/models/mlp/ready" >/dev/null \
    && curl -sf "http://127.0.0.1:$notel_port/v2/models/mlp/ready" >/dev/null \
    && curl -sf -H "X-Internal-Token: $token" "http://127.0.0.1:$bare_port/v2/models/mlp/ready" >/dev/null \
    && curl -sf -H "X-Internal-Token: $token" "http://127.0.0.1:$bare_uds_port/v2/models/mlp/ready" >/dev/null \
    && { [ -z "${GATEWAY_BEFORE:-}" ] || curl -sf "http://127.0.0.1:$before_port/v2/models/mlp/ready" >/dev/null; } && break
  sleep 0.1
done
curl -sf -X POST -H "X-Internal-Token: $token" "http://127.0.0.1:$worker_port/v1/models/mlp/warmup" >/dev/null \
  || { echo "worker not ready"; tail -5 "$work/worker.log"; exit 1; }

# The socket hop, as the AppHost sets it up: the replica set with the replica's socket (gateway, gw-notel; gw-tcp keeps TCP).
for p in $gateway_port $notel_port; do
  curl -sf -X PUT -H "X-Internal-Token: $token" -H 'Content-Type: application/json' "http://127.0.0.1:$p/_internal/clusters/inference/destinations" \
    -d "{\"desired\":1,\"destinations\":[{\"id\":\"inference-0\",\"address\":\"http://127.0.0.1:$worker_port/\",\"state\":\"ready\",\"unix_socket\":\"$socket\"}]}" \
    || { echo "the gateway on $p refused the replica set"; exit 1; }
done
echo "socket folder $(stat -c %a "$work/sockets"), socket $(stat -c %a "$socket")" >&2

body="$work/mlp-1.json"
curl -sf -H 'Content-Type: application/json' --data-binary @"$body" "http://127.0.0.1:$gateway_port/v2/models/mlp/infer" >/dev/null \
  || { echo "infer through the gateway failed"; tail -5 "$work/gateway.log"; exit 1; }

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# cell URL CONNS TOKEN PROXY_PID → "rps p50_ms errors client_us proxy_us worker_us" (CPU µs per request, user + system)
cell() {
  local threads=1; (($2 > 1)) && threads=2
  BODY="$body" TOKEN="$3" wrk -t"$threads" -c"$2" -d1s -s bench/gateway-mlp.lua "$1" >/dev/null
  local w0 p0=0 w1 p1=0 tck; w0=$(ticks "${pid_of[direct]}"); [ -n "$4" ] && p0=$(ticks "$4")
  local out; out=$( { TIMEFORMAT='CPU %U %S'; time BODY="$body" TOKEN="$3" wrk -t"$threads" -c"$2" -d"${duration}s" --timeout 10s -s bench/gateway-mlp.lua "$1"; } 2>&1 )
  w1=$(ticks "${pid_of[direct]}"); [ -n "$4" ] && p1=$(ticks "$4"); tck=$(getconf CLK_TCK)
  awk -v w=$((w1 - w0)) -v p=$((p1 - p0)) -v t="$tck" -v d="$duration" '/^RESULT/ {r = $2; l = $3; e = $4} /^CPU/ {c = $2 + $3}
    END {n = r * d; printf "%s %s %s %.1f %.1f %.1f\n", r, l, e, c * 1e6 / n, p * 1e6 / t / n, w * 1e6 / t / n}' <<<"$out"
}
declare -A rps p50 cpu
url_of() { case $1 in direct) echo "http://127.0.0.1:$worker_port/v2/models/mlp/infer" ;; *) echo "http://127.0.0.1:${port[$1]}/v2/models/mlp/infer" ;; esac; }
token_of() { case $1 in direct|bare|bare-uds) echo "$token" ;; *) echo "" ;; esac; }
# Tiered JIT keeps every process slow for its first seconds (the gateway has the most code to tier up): warm each
# target at both loads before the measured rounds (WARMUP seconds each, default 15: on this shared machine the
# background tier-1 compiler was still 27–31 % of a proxy's CPU samples 16 s into load, 1 % after 40 s).
for target in "${targets[@]}"; do
  for conns in 1 32; do
    threads=1; ((conns > 1)) && threads=2
    BODY="$body" TOKEN="$(token_of "$target")" wrk -t"$threads" -c"$conns" -d"${WARMUP:-15}s" -s bench/gateway-mlp.lua "$(url_of "$target")" >/dev/null
  done
done
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for round in $(seq 1 "$rounds"); do
  for conns in 1 32; do
    for target in "${targets[@]}"; do
      proxy_pid=""; [ "$target" = direct ] || proxy_pid="${pid_of[$target]}"
      read -r r p e cc cp cw < <(cell "$(url_of "$target")" "$conns" "$(token_of "$target")" "$proxy_pid")
      ((e == 0)) || { echo "$target c=$conns had $e errors" >&2; exit 1; }
      rps[$target,$conns]+="$r "; p50[$target,$conns]+="$p "; cpu[$target,$conns]+="$cc/$cp/$cw "
      printf 'round %s %-9s c=%-3s %9.1f req/s  p50=%.3f ms  CPU µs/req: wrk %6.1f  proxy %6.1f  worker %6.1f  total %6.1f  load %s\n' \
        "$round" "$target" "$conns" "$r" "$p" "$cc" "$cp" "$cw" "$(awk -v a="$cc" -v b="$cp" -v c="$cw" 'BEGIN {print a + b + c}')" "$(cut -d' ' -f1 /proc/loadavg)" >&2
    done
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{v[NR]=$1} END {print (NR % 2 ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2)}'; }
echo
echo "## Sample MLP infer, direct vs through the gateway ($(date -u +%Y-%m-%dT%H:%MZ); wrk ${duration}s per cell, median of $rounds rounds; $(nproc) cores; load average before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg))"
echo
echo "| target | req/s @1 conn | p50 @1 conn (ms) | req/s @32 conn | p50 @32 conn (ms) | CPU µs/req @32 conn: wrk / proxy / worker |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
declare -A m
for target in "${targets[@]}"; do
  for conns in 1 32; do
    m[r,$target,$conns]=$(median <<<"${rps[$target,$conns]}"); m[p,$target,$conns]=$(median <<<"${p50[$target,$conns]}")
  done
  c32=""
  for i in 1 2 3; do c32+="$(tr ' ' '\n' <<<"${cpu[$target,32]}" | grep -v '^$' | cut -d/ -f$i | median) / "; done
  echo "| $target | ${m[r,$target,1]} | ${m[p,$target,1]} | ${m[r,$target,32]} | ${m[p,$target,32]} | ${c32% / } |"
done
for target in "${targets[@]:1}"; do
  awk -v t="$target" -v d1="${m[r,direct,1]}" -v g1="${m[r,$target,1]}" -v d="${m[r,direct,32]}" -v g="${m[r,$target,32]}" \
      -v dp="${m[p,direct,1]}" -v gp="${m[p,$target,1]}" 'BEGIN {
    printf "%s: throughput %.3f× direct @1 conn, %.3f× direct @32 conn (target ≥ 0.6×): %s; added p50 @1 conn %.3f ms\n",
      t, g1/d1, g/d, (g/d >= 0.6 ? "met" : "NOT met"), gp-dp }'
done
for target in "${targets[@]:2}"; do
  [ "$target" = bare-uds ] && continue
  awk -v t="$target" -v b1="${m[r,bare,1]}" -v g1="${m[r,$target,1]}" -v b="${m[r,bare,32]}" -v g="${m[r,$target,32]}" \
      -v dp="${m[p,direct,1]}" -v bp="${m[p,bare,1]}" -v gp="${m[p,$target,1]}" 'BEGIN {
    printf "%s vs bare YARP: throughput %.3f× @1 conn, %.3f× @32 conn; added p50 @1 conn %.3f× bare\n",
      t, g1/b1, g/b, (bp-dp > 0 ? (gp-dp)/(bp-dp) : 0) }'
done
# The Unix socket hop against TCP, same build: the gateway told the socket vs not, bare YARP over the socket vs TCP.
for pair in "gateway gw-tcp" "bare-uds bare"; do
  read -r a b <<<"$pair"
  [ -n "${m[r,$a,1]:-}" ] && [ -n "${m[r,$b,1]:-}" ] || continue
  awk -v a="$a" -v b="$b" -v a1="${m[r,$a,1]}" -v b1="${m[r,$b,1]}" -v a32="${m[r,$a,32]}" -v b32="${m[r,$b,32]}" 'BEGIN {
    printf "%s vs %s (Unix socket vs TCP to the worker): throughput %.3f× @1 conn, %.3f× @32 conn\n", a, b, a1/b1, a32/b32 }'
done
uptime
