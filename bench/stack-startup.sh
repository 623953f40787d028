#!/usr/bin/env bash
# Stack cold start: from launching the built AppHost (`dotnet AppHost.dll`) to the gateway's /health
# answering "status":"healthy" (PostgreSQL, Redis, inference, sandbox and gateway all up), median of N runs.
# Two cases side by side, alternating so machine noise hits both alike:
#   clean  - a new, empty state folder (initdb runs)
#   reused - a state folder from an earlier run (PostgreSQL data exists)
# Usage: bench/stack-startup.sh [runs=5]   (CONFIG=Release to measure a Release build)
#   AGAINST=/path/to/other/checkout   also run that checkout's built AppHost (same CONFIG), interleaved run by run,
#                                     and print both medians and their ratio (e.g. before and after a change)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
config=${CONFIG:-Debug}

dotnet build AppHost -c "$config" -nologo -v:q >/dev/null
dll="$PWD/AppHost/bin/$config/net10.0/AppHost.dll"
py=/usr/bin/python3
free_port() { $py -I -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
against=${AGAINST:-}
base_dll=${against:+$against/AppHost/bin/$config/net10.0/AppHost.dll}
[[ -z $against || -f $base_dll ]] || { echo "$base_dll does not exist: build $against first" >&2; exit 1; }
reused=$(mktemp -d /tmp/stack-bench-reused.XXXXXX)
base_reused=$(mktemp -d /tmp/stack-bench-base-reused.XXXXXX)

# One run: prints the milliseconds to healthy; stops the stack and checks nothing is left.
measure() {
  local state=$1 apphost=${2:-$dll} gw dash pid start now body
  gw=$(free_port); dash=$(free_port)
  start=$(date +%s%N)
  dotnet "$apphost" --AppHost:StateFolder="$state" --AppHost:Ports:gateway="$gw" --AppHost:DashboardPort="$dash" \
    >"$state.log" 2>&1 &
  pid=$!
  while :; do
    body=$(curl -s --max-time 1 "http://127.0.0.1:$gw/health" || true)
    [[ $body == *'"status":"healthy"'* ]] && break
    kill -0 "$pid" 2>/dev/null || { echo "AppHost exited; see $state.log" >&2; exit 1; }
    now=$(date +%s%N)
    (( (now - start) / 1000000 > 120000 )) && { echo "not healthy in 120 s; see $state.log" >&2; kill "$pid"; exit 1; }
    sleep 0.02
  done
  now=$(date +%s%N)
  kill -TERM "$pid"; wait "$pid" || true
  echo $(( (now - start) / 1000000 ))
}

median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

measure "$reused" >/dev/null   # create the reused state once (not counted)
[[ -z $against ]] || measure "$base_reused" "$base_dll" >/dev/null
clean_ms=() reused_ms=() base_clean_ms=() base_reused_ms=()
for i in $(seq 1 "$runs"); do
  clean=$(mktemp -d /tmp/stack-bench-clean.XXXXXX)
  clean_ms+=("$(measure "$clean")")
  rm -rf "$clean" "$clean.log"
  reused_ms+=("$(measure "$reused")")
  echo "run $i: clean ${clean_ms[-1]} ms, reused ${reused_ms[-1]} ms" >&2
  if [[ -n $against ]]; then
    clean=$(mktemp -d /tmp/stack-bench-clean.XXXXXX)
    base_clean_ms+=("$(measure "$clean" "$base_dll")")
    rm -rf "$clean" "$clean.log"
    base_reused_ms+=("$(measure "$base_reused" "$base_dll")")
    echo "run $i: $against: clean ${base_clean_ms[-1]} ms, reused ${base_reused_ms[-1]} ms" >&2
  fi
done
rm -rf "$reused" "$reused.log" "$base_reused" "$base_reused.log"

report() { # label, clean ms..., --, reused ms...
  local label=$1; shift
  local -a c=() r=(); while [[ $1 != -- ]]; do c+=("$1"); shift; done; shift; r=("$@")
  echo "$label ($config, $runs runs, $(nproc) cores): clean state median $(printf '%s\n' "${c[@]}" | median) ms [${c[*]}]; reused state median $(printf '%s\n' "${r[@]}" | median) ms [${r[*]}]"
}
report "stack cold start" "${clean_ms[@]}" -- "${reused_ms[@]}"
if [[ -n $against ]]; then
  report "stack cold start, $against" "${base_clean_ms[@]}" -- "${base_reused_ms[@]}"
  echo "ratio this/$against (medians): clean $(echo "$(printf '%s\n' "${clean_ms[@]}" | median) $(printf '%s\n' "${base_clean_ms[@]}" | median)" | awk '{printf "%.2f", $1/$2}'), reused $(echo "$(printf '%s\n' "${reused_ms[@]}" | median) $(printf '%s\n' "${base_reused_ms[@]}" | median)" | awk '{printf "%.2f", $1/$2}')"
fi
