"""Replica cold start through the gateway, driven by bench/replica-cold-start.sh (which builds first).

Starts the built AppHost (inference min 0, a long scale-down window: only `max 0` takes replicas away), then:

  cold   N times: PUT /_internal/scale/inference {"min":0,"max":0} (drain and stop at once), wait for no
         worker process, PUT {"min":0,"max":4}, then one uncached `mlp` inference through the gateway: held
         while a replica starts from nothing. Phases from the AppHost's lifecycle events and the worker's log.
  warm   the same request with one replica in rotation (min 1).
  spare  a stack with `buffer 1`: after a cold start the autoscaler keeps one warm spare beside the replica
         demand needs; the figure is the next request's first response (no cold start left to wait for).
  burst  64 requests at once at zero replicas (target 8, max 4: demand asks for 8, capped at 4) -> time
         until 4 replicas are `ready`, and until all 64 are answered.

With VARIANT=name=/path/to/InferenceWorker.Gpu.dll (repeatable) the cold starts are also run with other
worker build outputs, one stack per variant, interleaved round by round so every variant sees the same load.
Prints one line per figure with the load average.
"""

import concurrent.futures
import datetime
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 10
CONFIG = os.environ.get("CONFIG", "Debug")
APPHOST = os.path.join(ROOT, "AppHost", "bin", CONFIG, "net10.0", "AppHost.dll")
BODY = json.dumps({"inputs": [{"name": "x", "shape": [1, 784], "datatype": "FP32", "data": [0.5] * 784}],
                   "parameters": {"cache": False}}).encode()


def load():
    with open("/proc/loadavg") as f:
        return f.read().split()[0]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def p50(values):
    return statistics.median(values) if values else float("nan")


class Stack:
    """One AppHost run in its own state folder, on its own ports."""

    def __init__(self, name, extra):
        self.name = name
        self.state = tempfile.mkdtemp(prefix=f"cold-bench-{name}-")
        os.chmod(self.state, 0o755)
        self.gateway = free_port()
        self.dashboard = free_port()
        self.control = free_port()
        self.log_path = self.state + ".log"
        self.log = open(self.log_path, "w")
        args = ["dotnet", APPHOST, f"--AppHost:StateFolder={self.state}", f"--AppHost:Ports:gateway={self.gateway}",
                f"--AppHost:DashboardPort={self.dashboard}", f"--AppHost:ControlPort={self.control}", "--AppHost:Autoscale:inference:Min=0",
                "--AppHost:Autoscale:inference:ScaleDownWindow=00:10:00", *extra]
        self.process = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT, cwd=ROOT)
        deadline = time.monotonic() + 180
        while True:
            if self.process.poll() is not None:
                raise SystemExit(f"{name}: the AppHost exited:\n{open(self.log_path).read()}")
            try:
                if '"status":"healthy"' in self.get(f"http://127.0.0.1:{self.gateway}/health"):
                    break
            except (OSError, urllib.error.URLError):
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"{name}: not healthy in 180 s:\n{open(self.log_path).read()}")
            time.sleep(0.05)
        with open(os.path.join(self.state, "run.json")) as f:
            self.token = json.load(f)["internal_token"]

    @staticmethod
    def get(url, headers=None):
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=30) as r:
                return r.read().decode()
        except urllib.error.HTTPError as e:
            return e.read().decode()

    def scale(self):
        return json.loads(self.get(f"http://127.0.0.1:{self.control}/_internal/scale", {"X-Internal-Token": self.token}))["inference"]

    def set_bounds(self, lo, hi):
        request = urllib.request.Request(f"http://127.0.0.1:{self.control}/_internal/scale/inference", method="PUT",
                                         data=json.dumps({"min": lo, "max": hi}).encode(),
                                         headers={"X-Internal-Token": self.token, "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as r:
            assert r.status == 200, r.read()

    def workers(self):
        out = subprocess.run(["pgrep", "-f", "-P", str(self.process.pid), "InferenceWorker.Gpu.dll"], capture_output=True, text=True)
        return len(out.stdout.split())

    def to_zero(self):
        self.set_bounds(0, 0)
        while not (self.scale()["desired"] == 0 and self.scale()["ready"] == 0 and self.workers() == 0):
            time.sleep(0.02)

    def infer(self):
        request = urllib.request.Request(f"http://127.0.0.1:{self.gateway}/v2/models/mlp/infer", data=BODY,
                                         headers={"Content-Type": "application/json"})
        started = time.time()
        with urllib.request.urlopen(request, timeout=120) as r:
            r.read()
            status = r.status
        if status != 200:
            raise SystemExit(f"inference answered {status}")
        return started, time.time()

    def apphost_lines(self):
        with open(self.log_path) as f:
            return f.readlines()

    def worker_lines(self, replica):
        path = os.path.join(self.state, "logs", replica + ".log")
        with open(path) as f:
            return f.readlines()

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()
        shutil.rmtree(self.state, ignore_errors=True)
        os.remove(self.log_path)


def clock(line):
    """Seconds since the epoch of an AppHost console line ('HH:mm:ss.fff info: ...', local time of today)."""
    match = re.match(r"(\d\d):(\d\d):(\d\d)\.(\d{3}) ", line)
    if not match:
        return None
    h, m, s, ms = (int(g) for g in match.groups())
    today = datetime.datetime.now().replace(hour=h, minute=m, second=s, microsecond=ms * 1000)
    return today.timestamp()


def iso(line):
    """Seconds since the epoch of a replica log line (ISO 8601 timestamp first)."""
    stamp = line.split(" ", 1)[0]
    try:
        return datetime.datetime.fromisoformat(stamp).timestamp()
    except ValueError:
        return None


def cold_once(stack):
    """One true cold start; returns the phases in ms from the request."""
    stack.to_zero()
    stack.set_bounds(0, 4)
    mark = len(stack.apphost_lines())
    sent, answered = stack.infer()
    lines = stack.apphost_lines()[mark:]
    phases = {"first response": (answered - sent) * 1000}
    for line in lines:
        pid = re.search(r"inference-\d+: process-start pid (\d+)", line)
        if pid:
            # CPU time the worker used up to its first answer: what a cut saves, much less noisy than wall time on a busy machine.
            try:
                with open(f"/proc/{pid.group(1)}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                phases["worker cpu"] = (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")
            except OSError:
                pass
            break

    def at(pattern):
        for line in lines:
            if re.search(pattern, line):
                return line
        return None

    demand = at(r"inference: scale 0 -> 1")
    start = at(r"inference-\d+: process-start")
    if demand:
        phases["demand at AppHost"] = (clock(demand) - sent) * 1000
    if start:
        replica = re.search(r"(inference-\d+): process-start", start).group(1)
        phases["process start"] = (clock(start) - sent) * 1000
        listening = at(rf"{replica}: listening (\d+) ms")
        ready = at(rf"{replica}: ready (\d+) ms")
        if listening:
            phases["listening"] = phases["process start"] + int(re.search(r"listening (\d+) ms", listening).group(1))
        if ready:
            phases["ready"] = phases["process start"] + int(re.search(r"ready (\d+) ms", ready).group(1))
        worker = stack.worker_lines(replica)
        starts = [i for i, line in enumerate(worker) if f"--- starting {replica}" in line]
        worker = worker[starts[-1]:] if starts else worker
        for line in worker:
            kestrel = "Now listening on" in line and "kestrel" not in phases
            if kestrel and iso(line):
                phases["kestrel listening"] = (iso(line) - sent) * 1000
            preload = re.search(r"Preloaded mlp: load ([\d.]+) ms, first run ([\d.]+) ms", line)
            if preload:
                phases["model load"] = float(preload.group(1))
                phases["first run"] = float(preload.group(2))
                if iso(line):
                    phases["preloaded"] = (iso(line) - sent) * 1000
    return phases


def report_cold(label, samples):
    firsts = [s["first response"] for s in samples]
    print(f"  {label}: cold (0 replicas -> first response) p50 {p50(firsts):.1f} ms  "
          f"[{' '.join(f'{v:.0f}' for v in firsts)}]  (load {load()})")
    order = ["demand at AppHost", "process start", "kestrel listening", "listening", "preloaded", "ready", "first response"]
    parts = []
    for key in order:
        values = [s[key] for s in samples if key in s]
        if values:
            parts.append(f"{key} {p50(values):.0f}")
    print(f"    phases p50, ms after the request was sent: {', '.join(parts)}")
    cpu = [s["worker cpu"] for s in samples if "worker cpu" in s]
    if cpu:
        print(f"    worker CPU time (user+sys) from process start to its first answer p50 {p50(cpu):.0f} ms  [{' '.join(f'{v:.0f}' for v in cpu)}]")
    loads = [s["model load"] for s in samples if "model load" in s]
    runs = [s["first run"] for s in samples if "first run" in s]
    if loads:
        print(f"    worker preload p50: model load {p50(loads):.1f} ms, first run {p50(runs):.1f} ms")


def burst(stack, size):
    stack.to_zero()
    stack.set_bounds(0, 4)
    mark = len(stack.apphost_lines())
    started = time.time()
    with concurrent.futures.ThreadPoolExecutor(size) as pool:
        futures = [pool.submit(stack.infer) for _ in range(size)]
        ready_at = None
        while ready_at is None and time.time() - started < 120:
            lines = stack.apphost_lines()[mark:]
            readies = [line for line in lines if re.search(r"inference-\d+: ready ", line)]
            if len(readies) >= 4:
                ready_at = clock(readies[3])
            time.sleep(0.02)
        answers = [f.result() for f in futures]
    done = max(a[1] for a in answers)
    lines = stack.apphost_lines()[mark:]
    scaled = [re.search(r"scale (\d+) -> (\d+)", line).group(0) for line in lines if re.search(r"inference: scale \d+ -> \d+", line)]
    ready_text = f"{(ready_at - started) * 1000:.0f} ms" if ready_at else "not within 120 s"
    print(f"  burst of {size} at zero (target 8, max 4): 4 replicas ready after {ready_text}; "
          f"all {len(answers)} answered 200 after {(done - started) * 1000:.0f} ms; scale steps: {', '.join(scaled)}  (load {load()})")


def main():
    variants = [("default", [])]
    for spec in os.environ.get("VARIANT", "").split():
        name, path = spec.split("=", 1)
        variants.append((name, [f"--AppHost:Assemblies:inference={path}"]))
    print(f"replica cold start ({CONFIG}, {RUNS} runs, {os.cpu_count()} cores, load {load()}):")
    stacks = {}
    try:
        for name, extra in variants:
            stacks[name] = Stack(name, extra)
        samples = {name: [] for name in stacks}
        for _ in range(RUNS):
            for name, stack in stacks.items():
                samples[name].append(cold_once(stack))
        for name in stacks:
            report_cold(name, samples[name])
        for name, stack in list(stacks.items())[1:]:
            stack.stop()
            del stacks[name]

        if os.environ.get("COLD_ONLY") == "1":
            return
        stack = stacks["default"]
        stack.set_bounds(1, 4)
        while stack.scale()["ready"] < 1:
            time.sleep(0.02)
        warm = []
        for _ in range(RUNS):
            sent, answered = stack.infer()
            warm.append((answered - sent) * 1000)
        print(f"  warm (min 1) p50 {p50(warm):.2f} ms  [{' '.join(f'{v:.1f}' for v in warm)}]  (load {load()})")
        burst(stack, 64)
        stack.stop()
        del stacks["default"]

        spare_stack = Stack("spare", ["--AppHost:Autoscale:inference:Buffer=1"])
        stacks["spare"] = spare_stack
        spare = []
        missed = 0
        for _ in range(RUNS):
            spare_stack.to_zero()
            spare_stack.set_bounds(0, 4)
            spare_stack.infer()  # the cold start that brings the replica and its spare
            deadline = time.monotonic() + 60
            while spare_stack.scale()["ready"] < 2 and time.monotonic() < deadline:
                time.sleep(0.02)
            if spare_stack.scale()["ready"] < 2:
                missed += 1
                continue
            sent, answered = spare_stack.infer()
            spare.append((answered - sent) * 1000)
        print(f"  warm spare (buffer 1, min 0): the request after a cold start, spare ready, p50 {p50(spare):.2f} ms  "
              f"[{' '.join(f'{v:.1f}' for v in spare)}]{f'; {missed} runs got no spare within 60 s' if missed else ''}  (load {load()})")
    finally:
        for stack in stacks.values():
            stack.stop()


if __name__ == "__main__":
    main()
