#!/usr/bin/env bash
# Gateway overhead, three ways to the same trivial Kestrel endpoint in one run (issue 3):
#   direct      wrk → backend
#   bare YARP   wrk → YARP host with no features (bench/gateway-overhead, "bare-proxy") → backend
#   gateway     wrk → the full gateway (Release build; API keys + rate limiter on, OpenTelemetry on) → backend
#   gw-notel    the same gateway with OTEL_SDK_DISABLED=true, to tell the features' cost from telemetry's
#   gw-before   with GATEWAY_BEFORE=/path/to/Gateway.dll, another build configured as "gateway", so a change is measured side by side
# at 1 and 32 connections. Prints p50 latency and throughput, the added p50 of each proxy over direct, and the
# ratios against the issue's targets: gateway added p50 (1 conn) ≤ 1.2× bare YARP's; gateway throughput
# (32 conn) ≥ 0.8× bare YARP's. Generator, proxy and backend share this machine's cores, so compare ratios.
#
# Every target is warmed first (WARMUP seconds at 1 and at 32 connections: tiered JIT), and each cell also reports
# the serving process's own CPU time per request (from /proc/PID/stat), which shared-core contention distorts less.
#
# usage: [ROUNDS=3] [WARMUP=3] [GATEWAY_BEFORE=…/Gateway.dll] bench/gateway-overhead.sh [duration-seconds per cell, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."

duration="${1:-10}"
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

echo "building (Release)…" >&2
dotnet build bench/gateway-overhead -c Release -nologo -v:q >/dev/null
dotnet build Gateway -c Release -nologo -v:q >/dev/null
bench_dll=bench/gateway-overhead/bin/Release/net10.0/GatewayOverhead.dll
gateway_dll=Gateway/bin/Release/net10.0/Gateway.dll

free_port() { /usr/bin/python3 -I -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
backend_port=$(free_port); bare_port=$(free_port); gateway_port=$(free_port); notel_port=$(free_port); before_port=$(free_port)
key="bench-key-0123456789abcdef"

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

declare -A pid_of
dotnet "$bench_dll" backend "$backend_port" & pids+=($!); pid_of[direct]=$!
dotnet "$bench_dll" bare-proxy "$bare_port" "http://127.0.0.1:$backend_port/" & pids+=($!); pid_of[bare]=$!
# A gateway build on PORT as NAME, configured alike for every target; extra environment assignments after the DLL.
start_gateway() { # name port dll [VAR=value ...]
  local name=$1 port=$2 dll=$3; shift 3
  env ASPNETCORE_URLS="http://127.0.0.1:$port" services__inference__http__0="http://127.0.0.1:$backend_port/" \
    Internal__Token="bench-internal-token" Gateway__ApiKeys__0__Key="$key" Gateway__ApiKeys__0__Role=admin \
    Gateway__RateLimitPerSecond=10000000 Logging__LogLevel__Default=Warning "$@" \
    dotnet "$dll" >/dev/null & pids+=($!); pid_of[$name]=$!
}
start_gateway gateway "$gateway_port" "$gateway_dll"
start_gateway gw-notel "$notel_port" "$gateway_dll" OTEL_SDK_DISABLED=true
targets=(direct bare gateway gw-notel)
if [ -n "${GATEWAY_BEFORE:-}" ]; then
  start_gateway gw-before "$before_port" "$GATEWAY_BEFORE"
  targets+=(gw-before)
fi

wait_up() {
  for _ in $(seq 1 200); do
    if curl -fsS -o /dev/null -H "Authorization: Bearer $key" "$1"; then return 0; fi
    sleep 0.05
  done
  echo "not up: $1" >&2; exit 1
}
path=/v2/health/ready
wait_up "http://127.0.0.1:$backend_port$path"
wait_up "http://127.0.0.1:$bare_port$path"
wait_up "http://127.0.0.1:$gateway_port$path"
wait_up "http://127.0.0.1:$notel_port$path"
[ -z "${GATEWAY_BEFORE:-}" ] || wait_up "http://127.0.0.1:$before_port$path"

# The serving process's CPU time (user + system, clock ticks) from /proc: divided by the requests served it gives
# the process's own CPU per request, which shared-core contention distorts far less than latency does.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# run URL CONNECTIONS PID → "p50_ms rps cpu_us_per_request"
run() {
  local url=$1 conns=$2 pid=$3 threads=1
  ((conns > 1)) && threads=2
  wrk -t"$threads" -c"$conns" -d2s -H "Authorization: Bearer $key" "$url" >/dev/null   # warm-up (JIT, pools)
  local before; before=$(cpu_ticks "$pid")
  wrk -t"$threads" -c"$conns" -d"${duration}s" --latency -H "Authorization: Bearer $key" "$url" |
    awk -v before="$before" -v ticks_per_s="$(getconf CLK_TCK)" -v stat="/proc/$pid/stat" '
      function ms(v) { if (v ~ /us$/) return substr(v,1,length(v)-2)/1000; if (v ~ /ms$/) return substr(v,1,length(v)-2)+0; if (v ~ /s$/) return substr(v,1,length(v)-1)*1000; return v }
      $1=="50%" { p50=ms($2) }
      $1=="Requests/sec:" { rps=$2 }
      / requests in / { n=$1 }
      / Non-2xx or 3xx responses:/ { bad=$NF }
      END {
        if (bad) { print "non-2xx responses: " bad > "/dev/stderr"; exit 1 }
        getline line < stat; split(line, f, " "); after = f[14] + f[15]
        printf "%.4f %.1f %.1f\n", p50, rps, (n > 0 ? (after - before) * 1e6 / ticks_per_s / n : 0) }'
}

# Tiered JIT compilation (tier 0 → instrumented → tier 1) keeps the first seconds of every process slow, and the
# gateway has more code to tier up than the bare YARP: warm every target at both loads before measuring.
for target in "${targets[@]}"; do
  case $target in direct) port=$backend_port ;; bare) port=$bare_port ;; gateway) port=$gateway_port ;; gw-notel) port=$notel_port ;; gw-before) port=$before_port ;; esac
  wrk -t1 -c1 -d"${WARMUP:-3}s" -H "Authorization: Bearer $key" "http://127.0.0.1:$port$path" >/dev/null
  wrk -t2 -c32 -d"${WARMUP:-3}s" -H "Authorization: Bearer $key" "http://127.0.0.1:$port$path" >/dev/null
done

rounds="${ROUNDS:-3}"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
declare -A samples_p50 samples_rps samples_cpu
for round in $(seq 1 "$rounds"); do
  for conns in 1 32; do
    # Targets alternate within a round so that the machine's background load hits all three alike.
    for target in "${targets[@]}"; do
      case $target in
        direct) port=$backend_port ;;
        bare) port=$bare_port ;;
        gateway) port=$gateway_port ;;
        gw-notel) port=$notel_port ;;
        gw-before) port=$before_port ;;
      esac
      result=$(run "http://127.0.0.1:$port$path" "$conns" "${pid_of[$target]}") || { echo "$target answered non-2xx; figures would be meaningless" >&2; exit 1; }
      read -r p r u <<<"$result"
      samples_p50[$target,$conns]+="$p "; samples_rps[$target,$conns]+="$r "; samples_cpu[$target,$conns]+="$u "
      printf 'round %s %-8s c=%-3s p50=%8.4f ms  %10.1f req/s  %7.1f µs CPU/req  load %s\n' "$round" "$target" "$conns" "$p" "$r" "$u" "$(cut -d' ' -f1 /proc/loadavg)" >&2
    done
  done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{v[NR]=$1} END {print (NR % 2 ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2)}'; }
declare -A p50 rps cpu
for key in "${!samples_p50[@]}"; do
  p50[$key]=$(median <<<"${samples_p50[$key]}")
  rps[$key]=$(median <<<"${samples_rps[$key]}")
  cpu[$key]=$(median <<<"${samples_cpu[$key]}")
done

echo
echo "## Gateway overhead ($(date -u +%Y-%m-%dT%H:%MZ); wrk, ${duration}s per cell, median of $rounds alternating rounds; $(nproc) cores shared by wrk, proxy and backend; load average before $load_before, after $(cut -d' ' -f1-3 /proc/loadavg))"
echo
echo "| target | p50 @1 conn (ms) | req/s @1 conn | p50 @32 conn (ms) | req/s @32 conn | process CPU µs/req @32 conn |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
for target in "${targets[@]}"; do
  printf '| %s | %s | %s | %s | %s | %s |\n' "$target" "${p50[$target,1]}" "${rps[$target,1]}" "${p50[$target,32]}" "${rps[$target,32]}" "${cpu[$target,32]}"
done
awk -v d="${p50[direct,1]}" -v b="${p50[bare,1]}" -v g="${p50[gateway,1]}" \
    -v n="${p50[gw-notel,1]}" -v rn="${rps[gw-notel,32]}" \
    -v rd="${rps[direct,32]}" -v rb="${rps[bare,32]}" -v rg="${rps[gateway,32]}" \
    -v cb="${cpu[bare,32]}" -v cg="${cpu[gateway,32]}" -v cn="${cpu[gw-notel,32]}" 'BEGIN {
  ab = b - d; ag = g - d; an = n - d
  printf "\nadded p50 @1 conn: bare YARP %.4f ms, gateway %.4f ms → gateway/bare = %.2f× (target ≤ 1.2×): %s\n", ab, ag, (ab > 0 ? ag/ab : 0), (ab > 0 && ag/ab <= 1.2 ? "met" : "NOT met")
  printf "throughput @32 conn: bare/direct = %.2f×, gateway/direct = %.2f×, gateway/bare = %.2f× (target ≥ 0.8×): %s\n", rb/rd, rg/rd, rg/rb, (rg/rb >= 0.8 ? "met" : "NOT met")
  printf "without telemetry (gw-notel): added p50 @1 conn %.4f ms = %.2f× bare; throughput @32 conn = %.2f× bare\n", an, (ab > 0 ? an/ab : 0), rn/rb
  printf "proxy process CPU per request @32 conn: bare %.1f µs, gateway %.1f µs (%.2f×), gw-notel %.1f µs (%.2f×)\n", cb, cg, (cb > 0 ? cg/cb : 0), cn, (cb > 0 ? cn/cb : 0)
}'
if [ -n "${GATEWAY_BEFORE:-}" ]; then
  awk -v d="${p50[direct,1]}" -v b="${p50[bare,1]}" -v g="${p50[gateway,1]}" -v o="${p50[gw-before,1]}" \
      -v rb="${rps[bare,32]}" -v rg="${rps[gateway,32]}" -v ro="${rps[gw-before,32]}" -v cg="${cpu[gateway,32]}" -v co="${cpu[gw-before,32]}" 'BEGIN {
    ab = b - d; ag = g - d; ao = o - d
    printf "gw-before (the other build): added p50 @1 conn %.4f ms = %.2f× bare (this build %.2f×); throughput @32 conn = %.2f× bare (this build %.2f×); CPU %.1f µs/req (this build %.1f)\n",
      ao, (ab > 0 ? ao/ab : 0), (ab > 0 ? ag/ab : 0), ro/rb, rg/rb, co, cg
  }'
fi
