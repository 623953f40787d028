#!/usr/bin/env bash
# SandboxRunner benchmark: trivial block warm and cold p50/p99 and runs/s at 1/8/32 concurrency, straight to the
# runner and through the gateway side by side in one run, then the execution-mode comparison (in-process vs jailed
# through the gateway) per complexity level. Starts its own runner and gateway (Release builds) on free ports.
#
#   bench/sandbox-bench.sh            DURATION=10 (seconds per wrk run), PARTS="warm modes cold" (which tables)
#   ROOTLESS=1: the warm table also runs this build's runner as the user nobody (rootless mode), with its own gateway.
#   RUNNER_BEFORE=/path/to/build/folder (holding another build's SandboxRunner.dll): the warm table also runs that
#   build, with its own gateway, beside this one; the two alternate (order swapped at every connection count).
# Needs: wrk, curl, /usr/bin/python3, the .NET SDK; root (the runner's jails need user namespaces and cgroups).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10}
PARTS=${PARTS:-warm modes cold}
TOKEN=bench-token-$$
RUNNER_PORT=${RUNNER_PORT:-5181}
GATEWAY_PORT=${GATEWAY_PORT:-5182}
RUNNER=http://127.0.0.1:$RUNNER_PORT
GATEWAY=http://127.0.0.1:$GATEWAY_PORT
RUNNER_PID=""; GATEWAY_PID=""; BEFORE_RUNNER_PID=""; BEFORE_GATEWAY_PID=""
BEFORE_RUNNER=http://127.0.0.1:$(( RUNNER_PORT + 10 )); BEFORE_GATEWAY=http://127.0.0.1:$(( GATEWAY_PORT + 10 ))
stop() { [ -n "$1" ] && kill "$1" 2>/dev/null && wait "$1" 2>/dev/null; true; }
cleanup() { stop "$GATEWAY_PID"; stop "$RUNNER_PID"; stop "$BEFORE_GATEWAY_PID"; stop "$BEFORE_RUNNER_PID"; stop "${ROOTLESS_GATEWAY_PID:-}"; stop "${ROOTLESS_RUNNER_PID:-}"; }
trap cleanup EXIT

wait_run_ok() { # $1 url, $2 token header value or empty
  for _ in $(seq 300); do
    if curl -sf -XPOST "$1/v1/blocks/run" -H 'Content-Type: application/json' ${2:+-H "X-Internal-Token: $2"} \
         -d '{"language":"python","code":"def run(i):\n    return {}"}' 2>/dev/null | grep -q '"status":"ok"'; then return 0; fi
    sleep 0.1
  done
  echo "no successful run through $1"; tail -n 20 /tmp/sandbox-bench-*.log; exit 1
}

start_runner() { # $@: extra environment
  stop "$RUNNER_PID"
  # Started from its build folder, as the AppHost does, so its appsettings.json is the content root's.
  (cd SandboxRunner/bin/Release/net10.0 && exec env ASPNETCORE_URLS=$RUNNER Internal__Token=$TOKEN \
    Logging__LogLevel__Default=Warning "$@" dotnet SandboxRunner.dll) >/tmp/sandbox-bench-runner.log 2>&1 &
  RUNNER_PID=$!
  wait_run_ok "$RUNNER" "$TOKEN"
}

start_before_runner() { # the RUNNER_BEFORE build, same settings
  (cd "$RUNNER_BEFORE" && exec env ASPNETCORE_URLS=$BEFORE_RUNNER Internal__Token=$TOKEN Sandbox__CgroupName=benchplatform-sandbox-before \
    Logging__LogLevel__Default=Warning "$@" dotnet SandboxRunner.dll) >/tmp/sandbox-bench-runner-before.log 2>&1 &
  BEFORE_RUNNER_PID=$!
  wait_run_ok "$BEFORE_RUNNER" "$TOKEN"
}

ROOTLESS_RUNNER=http://127.0.0.1:$(( RUNNER_PORT + 20 )); ROOTLESS_GATEWAY=http://127.0.0.1:$(( GATEWAY_PORT + 20 ))
ROOTLESS_RUNNER_PID=""; ROOTLESS_GATEWAY_PID=""
start_rootless_runner() { # this build as nobody: unprivileged user namespaces, no cgroups
  (cd SandboxRunner/bin/Release/net10.0 && exec setpriv --reuid=65534 --regid=65534 --clear-groups env -i HOME=/tmp PATH=/usr/bin:/bin \
    ASPNETCORE_URLS=$ROOTLESS_RUNNER Internal__Token=$TOKEN Logging__LogLevel__Default=Warning "$@" "$(command -v dotnet)" SandboxRunner.dll) \
    >/tmp/sandbox-bench-runner-rootless.log 2>&1 &
  ROOTLESS_RUNNER_PID=$!
  wait_run_ok "$ROOTLESS_RUNNER" "$TOKEN"
}

start_gateway() { # $1 gateway url, $2 runner url; sets GATEWAY_STARTED
  (cd Gateway/bin/Release/net10.0 && exec env ASPNETCORE_URLS=$1 Internal__Token=$TOKEN \
    Logging__LogLevel__Default=Warning services__sandbox__http__0=$2/ dotnet Gateway.dll) >/tmp/sandbox-bench-gateway-${1##*:}.log 2>&1 &
  GATEWAY_STARTED=$!
  wait_run_ok "$1" ""
}

# CPU time (clock ticks) of the server side: runner, gateway and every process of every jail (run children
# are reaped inside their jail, so their time is in the reaper's cutime/cstime). Independent of the neighbours' load.
server_ticks() { # $1 runner pid, $2 gateway pid: CPU ticks of both and of every live descendant of the runner
  local pids
  pids="$1 $2 $(ps -e -o pid=,ppid= | awk -v root="$1" '{ parent[$1] = $2 } END {
    for (p in parent) { q = p; while (q in parent && q != root && q > 1) q = parent[q]; if (q == root && p != root) printf "%s ", p } }')"
  local total=0 p
  for p in $pids; do
    local v
    v=$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null | awk '{print $12 + $13 + $14 + $15}')
    total=$(( total + ${v:-0} ))
  done
  echo "$total"
}

wrk_run() { # $1 label, $2 connections, $3 url, $4 token, [$5 runner pid, $6 gateway pid, $7 cgroup name]
  local out p50 p99 rps errors requests before after cpu
  local rp=${5:-$RUNNER_PID} gp=${6:-$GATEWAY_PID}
  before=$(server_ticks "$rp" "$gp")
  out=$(TOKEN=$4 wrk -t "$(( $2 < 2 ? 1 : 2 ))" -c "$2" -d "${DURATION}s" --latency -s bench/sandbox-post.lua "$3/v1/blocks/run")
  after=$(server_ticks "$rp" "$gp")
  p50=$(awk '/^ +50%/{print $2}' <<<"$out"); p99=$(awk '/^ +99%/{print $2}' <<<"$out")
  rps=$(awk '/^Requests\/sec/{print $2}' <<<"$out"); errors=$(awk '/Non-2xx/{print $5}' <<<"$out")
  requests=$(awk '/requests in/{print $1}' <<<"$out")
  cpu=$(awk -v t=$(( after - before )) -v n="$requests" -v hz="$(getconf CLK_TCK)" 'BEGIN { if (n > 0) printf "%.2f", t * 1000 / hz / n; else print "-" }')
  echo "| $1 | $2 | $p50 | $p99 | $rps | ${errors:-0} | $cpu |"
}

echo "machine: $(nproc) cores, kernel $(uname -r), $(date -u +%FT%TZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"
dotnet build SandboxRunner -c Release -v q -nologo >/dev/null
HAVE_GATEWAY=""
if [ -f Gateway/Gateway.csproj ] && grep -q '"/v1/blocks/run"' Gateway/Forwarding/GatewayRoutes.cs 2>/dev/null; then
  dotnet build Gateway -c Release -v q -nologo >/dev/null && HAVE_GATEWAY=1
fi

start_runner Sandbox__PoolSize=4 Sandbox__MaxJails=4
[ -n "$HAVE_GATEWAY" ] && start_gateway "$GATEWAY" "$RUNNER" && GATEWAY_PID=$GATEWAY_STARTED
if [ -n "${RUNNER_BEFORE:-}" ] && [[ $PARTS == *warm* ]]; then
  start_before_runner Sandbox__PoolSize=4 Sandbox__MaxJails=4
  [ -n "$HAVE_GATEWAY" ] && start_gateway "$BEFORE_GATEWAY" "$BEFORE_RUNNER" && BEFORE_GATEWAY_PID=$GATEWAY_STARTED
fi
if [ -n "${ROOTLESS:-}" ] && [[ $PARTS == *warm* ]]; then
  start_rootless_runner Sandbox__PoolSize=4 Sandbox__MaxJails=4
  [ -n "$HAVE_GATEWAY" ] && start_gateway "$ROOTLESS_GATEWAY" "$ROOTLESS_RUNNER" && ROOTLESS_GATEWAY_PID=$GATEWAY_STARTED
fi
warm_rootless() {
  [ -z "$ROOTLESS_RUNNER_PID" ] && return 0
  wrk_run "ROOTLESS: runner direct" "$1" "$ROOTLESS_RUNNER" "$TOKEN" "$ROOTLESS_RUNNER_PID" "$ROOTLESS_GATEWAY_PID"
  [ -n "$HAVE_GATEWAY" ] && wrk_run "ROOTLESS: through gateway" "$1" "$ROOTLESS_GATEWAY" "" "$ROOTLESS_RUNNER_PID" "$ROOTLESS_GATEWAY_PID"
  true
}

warm_pair() { # $1 connections: this build's runs, with the RUNNER_BEFORE build's beside them
  wrk_run "runner direct" "$1" "$RUNNER" "$TOKEN"
  [ -n "$HAVE_GATEWAY" ] && wrk_run "through gateway" "$1" "$GATEWAY" ""
  true
}
warm_pair_before() {
  [ -z "$BEFORE_RUNNER_PID" ] && return 0
  wrk_run "BEFORE: runner direct" "$1" "$BEFORE_RUNNER" "$TOKEN" "$BEFORE_RUNNER_PID" "$BEFORE_GATEWAY_PID"
  [ -n "$HAVE_GATEWAY" ] && wrk_run "BEFORE: through gateway" "$1" "$BEFORE_GATEWAY" "" "$BEFORE_RUNNER_PID" "$BEFORE_GATEWAY_PID"
  true
}

if [[ $PARTS == *warm* ]]; then
echo; echo "### trivial block, warm (pool 4, max jails 4)"
echo "| path | connections | p50 | p99 | runs/s | non-2xx | server CPU ms/run |"; echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
swap=""
for c in 1 8 32; do
  if [ -n "$swap" ]; then warm_pair_before "$c"; warm_rootless "$c"; warm_pair "$c"; swap=""
  else warm_pair "$c"; warm_rootless "$c"; warm_pair_before "$c"; swap=1; fi
done
stop "$BEFORE_GATEWAY_PID"; stop "$BEFORE_RUNNER_PID"; BEFORE_GATEWAY_PID=""; BEFORE_RUNNER_PID=""
stop "$ROOTLESS_GATEWAY_PID"; stop "$ROOTLESS_RUNNER_PID"; ROOTLESS_GATEWAY_PID=""; ROOTLESS_RUNNER_PID=""
fi

if [[ $PARTS == *modes* ]]; then
echo; echo "### execution modes (same block in-process vs jailed over HTTP${HAVE_GATEWAY:+ through the gateway})"
if [ -n "$HAVE_GATEWAY" ]; then /usr/bin/python3 -I bench/sandbox-modes.py "$GATEWAY" ""; else /usr/bin/python3 -I bench/sandbox-modes.py "$RUNNER" "$TOKEN"; fi
fi

if [[ $PARTS == *cold* ]]; then
start_runner Sandbox__PoolSize=0 Sandbox__IdleTimeoutMs=0 Sandbox__MaxJails=4
[ -n "$HAVE_GATEWAY" ] && wait_run_ok "$GATEWAY" ""
echo; echo "### trivial block, cold (pool size 0: every run starts a new jail)"
echo "| path | connections | p50 | p99 | runs/s | non-2xx | server CPU ms/run |"; echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
wrk_run "runner direct" 1 "$RUNNER" "$TOKEN"
[ -n "$HAVE_GATEWAY" ] && wrk_run "through gateway" 1 "$GATEWAY" ""
fi
echo; echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
