"""Drives one jail (SandboxRunner/Jail/jail.py) over its pipe protocol, without the runner, and prints per run: page
faults and CPU of the zygote, the template and the run children, and latency percentiles.

    sudo /usr/bin/python3 bench/sandbox-jail-drive.py <jail.py> [runs=200] [preload=numpy] [gap_s=0.003]

<jail.py> may be another commit's (`git show 8cd7d20:SandboxRunner/Jail/jail.py > /tmp/jail-old.py`): alternate the
two a few times, since the machine's load moves the figures. gap_s is the pause between runs (a client's round trip).
CPU and faults come from /proc/<pid>/stat of the zygote and template (run children are counted in their reaper's
cminflt/cutime/cstime once reaped). Root is not required (the jail is then rootless).
"""
import json
import os
import struct
import subprocess
import sys
import time

jail = sys.argv[1]
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 200
preload = [m for m in (sys.argv[3] if len(sys.argv) > 3 else "numpy").split(",") if m]
gap = float(sys.argv[4]) if len(sys.argv) > 4 else 0.003
source = open(jail).read()
config = {"prepared": 2, "host_uid": 200001 if os.geteuid() == 0 else os.geteuid(),
          "host_gid": 200001 if os.geteuid() == 0 else os.getegid(), "tmpfs_bytes": 64 << 20, "max_files": 4096,
          "cgroup_procs": [], "ro_paths": [], "python_paths": ["/usr/lib/python3/dist-packages"], "preload_modules": preload}
proc = subprocess.Popen(["/usr/bin/python3", "-I", "-S", "-c", source, json.dumps(config)],
                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, env={})


def read_frame():
    n = struct.unpack(">I", proc.stdout.read(4))[0]
    return proc.stdout.read(n)


def write_frame(data):
    proc.stdin.write(struct.pack(">I", len(data)) + data)


def child_of(pid):
    out = subprocess.check_output(["pgrep", "-P", str(pid)]).split()
    return int(out[0]) if out else 0


def stat(pid):
    """minflt, cminflt, and CPU ms of the process and of its reaped children."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    tick = 1000 / os.sysconf("SC_CLK_TCK")
    return [int(fields[7]), int(fields[8]), (int(fields[11]) + int(fields[12])) * tick,
            (int(fields[13]) + int(fields[14])) * tick]


hello = json.loads(read_frame())
print("features:", " ".join(hello["features"]), "| modules:", hello["modules"])
zygote = child_of(child_of(proc.pid))
template = child_of(zygote) if "def template(" in source else 0
header = json.dumps({"timeout_ms": 2000, "output_cap": 1 << 20, "stdout_cap": 65536, "stderr_cap": 65536,
                     "rlimits": {"cpu_s": 3, "nofile": 256, "nproc": 64, "memory_bytes": 256 << 20}}).encode()
payload = json.dumps({"code": "def run(i):\n    return {'y': i['a'] + i['b']}", "entrypoint": "run",
                      "inputs": {"a": 1, "b": 2}}).encode()
before = {p: stat(p) for p in (zygote, template) if p}
times = []
for _ in range(runs):
    started = time.perf_counter()
    write_frame(header)
    write_frame(payload)
    proc.stdin.flush()
    meta = json.loads(read_frame())
    result, _, _ = read_frame(), read_frame(), read_frame()
    times.append((time.perf_counter() - started) * 1000)
    assert b'"ok"' in result, result
    time.sleep(gap)
after = {p: stat(p) for p in before}
total_faults = total_cpu = 0.0
for name, pid in (("zygote", zygote), ("template", template)):
    if pid:
        d = [(b - a) / runs for a, b in zip(before[pid], after[pid])]
        total_faults += d[0] + d[1]
        total_cpu += d[2] + d[3]
        print(f"{name}: {d[0]:.0f} faults and {d[2]:.2f} ms CPU per run; its reaped children: {d[1]:.0f} faults, {d[3]:.2f} ms")
times.sort()
print(f"per run: {total_faults:.0f} page faults, {total_cpu:.2f} ms CPU | p50 {times[runs // 2]:.2f} ms, "
      f"p90 {times[int(runs * 0.9)]:.2f} ms, fastest {times[0]:.2f} ms | load average {open('/proc/loadavg').read().split()[0]}")
proc.stdin.close()
proc.wait()
