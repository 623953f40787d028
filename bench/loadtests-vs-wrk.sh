#!/usr/bin/env bash
# Generator check: LoadTests next to wrk on the same trivial endpoint, in the same run.
#  1. capacity: the most requests/s each sustains (closed loop, same connection count), and whether LoadTests' open model
#     holds a fixed rate at a fraction of that (nothing dropped, achieved ≥ 95% of asked);
#  2. agreement: p50/p99 at a fixed rate below saturation against a wrk2-style corrected measurement (wrk2 is not
#     packaged here: bench/loadtests-wrk2.lua makes plain wrk send on a constant schedule and time each request from its
#     intended start) and LoadTests' open model at the same rate; corrected p50 and p99 should agree within 10%.
# Usage: bench/loadtests-vs-wrk.sh [seconds per measurement, default 10] [connections, default 64]
#   AGREE_ROUNDS=N   agreement rounds per path, wrk and LoadTests alternating (default 3); the verdict uses the median
#                    ratio over the rounds, because one p99 of ~2,000 samples moves with every neighbour's burst.
#   AGREE_RATE=R     the fixed rate of the agreement part (default 200/s, 4 connections each).
#   ONLY_AGREE=1     skip the capacity and open-model parts.
#   AGREE_PATHS="/d/5"  the agreement endpoints (default "/ /s/2000 /d/5").
#   ONLY_CORE=1      run only the one-core capacity part: wrk -t1 and a scenario written with LoadTests.Engine's public
#                    API (bench/loadtests-step "capacity": Scenario.Create + Http.Send, closed model) each pinned to CPU 1,
#                    the endpoint pinned to CPU 0, CORE_ROUNDS rounds (default 3) alternating; the verdict is the median
#                    ratio (target >= 0.8). Each round also prints the CPU each generator spent per request (wrk's from
#                    /usr/bin/time, the dotnet ones' from the process after its warm-up) and those ratios: requests per
#                    CPU-second, which other load on the machine moves much less than requests/s.
#   BASELINE_DLL=path  with ONLY_CORE: also run another build of bench/loadtests-step (e.g. main's, from a worktree) in
#                    each round, to tell a change of the engine from a change of the machine.
#   BASELINE_ENV="VAR=value ..."  with BASELINE_DLL: run the baseline under these environment variables (the same build
#                    with DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0: the thread pool hop the engine used before).
#                    Each round also runs the same scenario sending through LoadTests.Engine's LeanHttpClient instead of
#                    HttpClient (bench/loadtests-step "lean": Scenario.Create + Http.Send(ctx, LeanRequest)), the row the
#                    >= 0.8 target is read on.
#   RAW=1            with ONLY_CORE: also run the same closed loop with HttpClient alone (bench/loadtests-step "raw"),
#                    the ceiling the engine runs under over HttpClient, and with LeanHttpClient alone ("lean-raw").
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
conns=${2:-64}
port=${LOADTESTS_BENCH_PORT:-18099}
url="http://127.0.0.1:$port/"
py=/usr/bin/python3
work=$(mktemp -d)
echo_pid=""
cleanup() { [[ -n "$echo_pid" ]] && kill "$echo_pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }
dotnet build LoadTests -c Release -nologo -v:q >/dev/null
dotnet build bench/loadtests-step -c Release -nologo -v:q >/dev/null
dotnet build bench/loadtests-echo.cs -c Release -nologo -v:q >/dev/null
dotnet run --no-build -c Release bench/loadtests-echo.cs -- "127.0.0.1:$port" >/dev/null 2>&1 &
echo_pid=$!
for _ in $(seq 100); do curl -sf "$url" >/dev/null && break; sleep 0.1; done
curl -sf "$url" >/dev/null || { echo "echo endpoint did not start on $url" >&2; exit 1; }
lt() { dotnet LoadTests/bin/Release/net10.0/LoadTests.dll "$@" --plain >/dev/null; }
json() { $py -I -c "import json,sys; r=json.load(open(sys.argv[1]))['runs'][0]; print(eval(sys.argv[2]))" "$1" "$2"; }
ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); print v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v); print v+0} else if (v ~ /s$/) {sub(/s$/,"",v); print v*1000} else print v}'; }

# Warm both up (JIT, connection pools) before measuring.
wrk -t1 -c"$conns" -d2s "$url" >/dev/null
lt http --target "$url" --path / --concurrency "$conns" --duration 2s --warmup 0

ratio() { $py -I -c "import sys; print(f'{float(sys.argv[2])/float(sys.argv[1]):.3f}')" "$1" "$2"; }

core_capacity() {
  # Both generators on CPU 1, the endpoint (all its threads) on CPU 0: "at one core" for the generator.
  local srv
  srv=$(ss -ltnpH "sport = :$port" | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -1)
  taskset -a -pc 0 "$srv" >/dev/null
  : > "$work/core"
  for round in $(seq "${CORE_ROUNDS:-3}"); do
    # CPU per request beside requests/s: on a shared machine the other processes take CPU 1 from both generators by
    # turns, which moves requests/s much more than the CPU each request costs.
    wo=$(taskset -c 1 /usr/bin/time -f 'cpu_s=%U %S' wrk -t1 -c"$conns" -d"${secs}s" "$url" 2>&1)
    w=$(awk '/Requests\/sec/ {print $2}' <<<"$wo")
    wc=$(awk '/requests in/ {n=$1} /^cpu_s=/ {sub(/cpu_s=/,""); print ($1+$2)*1e6/n}' <<<"$wo")
    ao=$(taskset -c 1 dotnet bench/loadtests-step/bin/Release/net10.0/LoadTests.Benchmarks.dll capacity "$url" "$conns" "$secs")
    a=$(sed -n 's/^rps=\([0-9.]*\).*/\1/p' <<<"$ao")
    ac=$(sed -n 's/.*cpu_us_per_request=\([0-9.]*\).*/\1/p' <<<"$ao")
    lo=$(taskset -c 1 dotnet bench/loadtests-step/bin/Release/net10.0/LoadTests.Benchmarks.dll lean "$url" "$conns" "$secs")
    l=$(sed -n 's/^rps=\([0-9.]*\).*/\1/p' <<<"$lo")
    lc=$(sed -n 's/.*cpu_us_per_request=\([0-9.]*\).*/\1/p' <<<"$lo")
    b="   engine over LeanHttpClient $l req/s (ratio $(ratio "$w" "$l"))"
    c="wrk $(printf '%.2f' "$wc") us, engine $ac us (ratio $(ratio "$ac" "$wc")), engine over LeanHttpClient $lc us (ratio $(ratio "$lc" "$wc"))"
    rc="-"
    lrc="-"
    if [[ -n "${RAW:-}" ]]; then
      ro=$(taskset -c 1 dotnet bench/loadtests-step/bin/Release/net10.0/LoadTests.Benchmarks.dll raw "$url" "$conns" "$secs")
      r=$(sed -n 's/^rps=\([0-9.]*\).*/\1/p' <<<"$ro")
      rc=$(sed -n 's/.*cpu_us_per_request=\([0-9.]*\).*/\1/p' <<<"$ro")
      b="$b   HttpClient alone $r req/s (ratio $(ratio "$w" "$r"))"
      c="$c, HttpClient alone $rc us (ratio $(ratio "$rc" "$wc"); engine / HttpClient alone $(ratio "$ac" "$rc"))"
      lro=$(taskset -c 1 dotnet bench/loadtests-step/bin/Release/net10.0/LoadTests.Benchmarks.dll lean-raw "$url" "$conns" "$secs")
      lr=$(sed -n 's/^rps=\([0-9.]*\).*/\1/p' <<<"$lro")
      lrc=$(sed -n 's/.*cpu_us_per_request=\([0-9.]*\).*/\1/p' <<<"$lro")
      b="$b   LeanHttpClient alone $lr req/s (ratio $(ratio "$w" "$lr"))"
      c="$c, LeanHttpClient alone $lrc us (ratio $(ratio "$lrc" "$wc"))"
    fi
    if [[ -n "${BASELINE_DLL:-}" ]]; then
      bo=$(env ${BASELINE_ENV:-} taskset -c 1 dotnet "$BASELINE_DLL" capacity "$url" "$conns" "$secs")
      bb=$(sed -n 's/^rps=\([0-9.]*\).*/\1/p' <<<"$bo")
      b="$b   baseline build $bb req/s (ratio $(ratio "$w" "$bb"))"
      bc=$(sed -n 's/.*cpu_us_per_request=\([0-9.]*\).*/\1/p' <<<"$bo")
      [[ -n "$bc" ]] && c="$c, baseline build $bc us (ratio $(ratio "$bc" "$wc"))"
    fi
    echo "round $round (load average $(cut -d' ' -f1-3 /proc/loadavg)): wrk -t1 $w req/s   LoadTests.Engine scenario $a req/s   ratio $(ratio "$w" "$a")$b"
    echo "round $round CPU per request (ratio = wrk's CPU per request / this one's = requests per CPU-second relative to wrk): $c"
    echo "$w $a $wc $ac $rc $l $lc $lrc" >> "$work/core"
  done
  $py -I - "$work/core" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
ratios = [float(r[1]) / float(r[0]) for r in rows]
def show(values):
    return f"{' '.join(f'{v:.3f}' for v in values)} (median {statistics.median(values):.3f})"
lean = [float(r[5]) / float(r[0]) for r in rows]
print(f"one core, requests/s relative to wrk -t1 over {len(rows)} rounds: LoadTests.Engine over HttpClient {show(ratios)}; over LeanHttpClient {show(lean)} (target >= 0.8)")
cpu = [float(r[2]) / float(r[3]) for r in rows]
lean_cpu = [float(r[2]) / float(r[6]) for r in rows]
line = f"one core, requests per CPU-second relative to wrk -t1 over {len(rows)} rounds: LoadTests.Engine over HttpClient {show(cpu)}; over LeanHttpClient {show(lean_cpu)} (target >= 0.8)"
if all(r[4] != "-" for r in rows):
    raw = [float(r[2]) / float(r[4]) for r in rows]
    own = [float(r[4]) / float(r[3]) for r in rows]
    lean_raw = [float(r[2]) / float(r[7]) for r in rows]
    line += f"; HttpClient alone {show(raw)}; LeanHttpClient alone {show(lean_raw)}; LoadTests.Engine / HttpClient alone {show(own)}"
print(line)
PY
  taskset -a -pc 0-$(($(nproc) - 1)) "$srv" >/dev/null
}

if [[ -n "${ONLY_CORE:-}" ]]; then
  echo "== capacity at one core: closed loop, $conns connections, ${secs}s each, alternating rounds =="
  core_capacity
  exit 0
fi

if [[ -z "${ONLY_AGREE:-}" ]]; then
echo "== capacity: closed loop, $conns connections, ${secs}s each, same endpoint, back to back =="
wrk_rps=$(wrk -t1 -c"$conns" -d"${secs}s" "$url" | awk '/Requests\/sec/ {print $2}')
wrk2_rps=$(wrk -t2 -c"$conns" -d"${secs}s" "$url" | awk '/Requests\/sec/ {print $2}')
lt http --target "$url" --path / --concurrency "$conns" --duration "${secs}s" --warmup 1s --report "$work/closed"
lt_rps=$(json "$work/closed/summary.json" "round(r['achieved_rate'],1)")
echo "wrk -t1: $wrk_rps req/s   wrk -t2: $wrk2_rps req/s   LoadTests closed c=$conns: $lt_rps req/s"
$py -I -c "import sys; a,b,c=map(float,sys.argv[1:]); print(f'LoadTests / wrk -t1 = {c/a:.3f}   LoadTests / wrk -t2 = {c/b:.3f}')" "$wrk_rps" "$wrk2_rps" "$lt_rps"

echo "== open model (512 connections): does LoadTests hold a fixed rate? =="
for frac in 0.5 0.75; do
  rate=$($py -I -c "import sys; print(int(float(sys.argv[1])*float(sys.argv[2])))" "$wrk_rps" "$frac")
  lt http --target "$url" --path / --rate "$rate" --connections 512 --duration "${secs}s" --warmup 1s --report "$work/open$frac"
  json "$work/open$frac/summary.json" "f\"asked {r['target_rate']:.0f}/s ({$frac} x wrk -t1): achieved {r['achieved_rate']:.1f}/s, dropped {r['dropped']}, late {r['late']}, lag p99 {r['generator_lag_ms']['p99']} ms, p50 {r['classes']['all']['corrected']['p50']} ms, p99 {r['classes']['all']['corrected']['p99']} ms (uncorrected {r['classes']['all']['uncorrected']['p99']} ms)\""
done

fi

agree() {
  # wrk2-style reference (bench/loadtests-wrk2.lua: constant rate, latency from each request's intended start) and
  # LoadTests' open model at the same fixed rate, 4 connections each, 1 s warm-up then $secs s measured; alternating.
  local path=$1 round wrk_line lt_json rate=${AGREE_RATE:-200}
  : > "$work/ratios"
  for round in $(seq "${AGREE_ROUNDS:-3}"); do
    wrk_line=$(wrk -t4 -c4 -d"$((secs + 1))s" -s bench/loadtests-wrk2.lua "${url%/}$path" -- "$rate" 4 1 | grep '^wrk2-style')
    lt http --target "$url" --path "$path" --rate "$rate" --connections 4 --duration "${secs}s" --warmup 1s --report "$work/low"
    echo "round $round GET $path @ $rate/s (load average $(cut -d' ' -f1-3 /proc/loadavg))  wrk $wrk_line"
    json "$work/low/summary.json" "f\"round $round GET $path @ $rate/s  LoadTests open n={r['sent']} corrected p50={r['classes']['all']['corrected']['p50']} p99={r['classes']['all']['corrected']['p99']} ms; uncorrected p50={r['classes']['all']['uncorrected']['p50']} p99={r['classes']['all']['uncorrected']['p99']} ms; dropped={r['dropped']} late={r['late']}\""
    w=($(sed -E 's/.*corrected p50=([0-9.]+) p99=([0-9.]+) max=[0-9.]+ ms; uncorrected p50=([0-9.]+) p99=([0-9.]+) ms.*/\1 \2 \3 \4/' <<<"$wrk_line"))
    json "$work/low/summary.json" "' '.join(f'{v:.3f}' for v in (r['classes']['all']['corrected']['p50']/${w[0]}, r['classes']['all']['corrected']['p99']/${w[1]}, r['classes']['all']['uncorrected']['p50']/${w[2]}, r['classes']['all']['uncorrected']['p99']/${w[3]}))" >> "$work/ratios"
  done
  $py -I - "$path" "$work/ratios" <<'PY'
import statistics, sys
rows = [list(map(float, line.split())) for line in open(sys.argv[2]) if line.strip()]
names = ["corrected p50", "corrected p99", "uncorrected p50", "uncorrected p99"]
cols = list(zip(*rows))
print(f"GET {sys.argv[1]}  LoadTests / wrk2-style over {len(rows)} rounds: " + "; ".join(
    f"{n} {' '.join(f'{v:.3f}' for v in c)} (median {statistics.median(c):.3f})" for n, c in zip(names, cols)) + "  (target: corrected p50 and p99 within 10 %)")
PY
}
echo "== agreement at a fixed rate below saturation (${AGREE_RATE:-200}/s) with a wrk2-style corrected measurement: trivial endpoint, one that spins 2 ms on the CPU, one that answers after a 5 ms timer =="
for path in ${AGREE_PATHS:-/ /s/2000 /d/5}; do agree "$path"; done
