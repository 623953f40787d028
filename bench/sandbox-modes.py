#!/usr/bin/python3 -I
"""Execution-mode comparison: the same block run in-process (an unjailed local interpreter, the baseline)
and through HTTP into a jail, per complexity level. Prints a Markdown table with overhead factors.

usage: sandbox-modes.py URL [TOKEN]      (URL: http://127.0.0.1:PORT, the runner or the gateway)
"""
import base64
import http.client
import json
import os
import statistics
import sys
import time
import urllib.parse

# The jail's zygote pins BLAS to one thread; the in-process baseline does the same so both do the same work.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

SIMPLE = "def run(inputs):\n    return {'y': inputs['a'] + inputs['b']}\n"
NUMPY = (
    "import numpy as np\n"
    "def run(inputs):\n"
    "    rng = np.random.default_rng(inputs['seed'])\n"
    "    a = rng.random((256, 256))\n"
    "    b = a @ a.T\n"
    "    return {'trace': float(np.trace(b)), 'mean': float(b.mean())}\n"
)
COMPUTE = (
    "def run(inputs):\n"
    "    total = 0\n"
    "    for i in range(inputs['n']):\n"
    "        total += (i * i) % 7\n"
    "    return {'total': total}\n"
)
IMAGE = (
    "import base64, hashlib\n"
    "INVERT = bytes(255 - i for i in range(256))\n"
    "def run(inputs):\n"
    "    pixels = base64.b64decode(inputs['image_b64'])\n"
    "    inverted = pixels.translate(INVERT)\n"
    "    hist = [inverted.count(bytes([v])) for v in range(0, 256, 32)]\n"
    "    return {'bytes': len(inverted), 'sha256': hashlib.sha256(inverted).hexdigest(), 'hist': hist}\n"
)


def levels():
    image = os.urandom(640 * 480 * 3)
    yield "simple arithmetic", SIMPLE, {"a": 1, "b": 2}, 300
    try:
        sys.path.append("/usr/lib/python3/dist-packages")
        import numpy  # noqa: F401
        yield "numpy 256x256 matmul", NUMPY, {"seed": 1}, 60
    except ImportError:
        print("numpy not installed: numpy level skipped (apt-get install python3-numpy)", file=sys.stderr)
    yield "compute-heavy loop (3M iterations)", COMPUTE, {"n": 3_000_000}, 12
    yield "image-sized bytes (640x480x3, base64 in)", IMAGE, {"image_b64": base64.b64encode(image).decode()}, 40


def measure(conn, headers, code, inputs, n):
    """Alternates one in-process call and one jailed run, so both see the same machine load."""
    namespace = {"__name__": "__block__"}
    exec(compile(code, "<block>", "exec"), namespace)
    fn = namespace["run"]
    body = json.dumps({"language": "python", "code": code, "inputs": inputs, "limits": {"timeout_ms": 30000, "memory_mb": 1024}})
    local, jailed, inside = [], [], []
    for i in range(n + 3):
        t = time.perf_counter()
        fn(inputs)
        local_elapsed = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        conn.request("POST", "/v1/blocks/run", body=body, headers=headers)
        response = conn.getresponse()
        payload = response.read()
        jailed_elapsed = (time.perf_counter() - t) * 1000
        result = json.loads(payload)
        if response.status != 200 or result.get("status") != "ok":
            raise SystemExit(f"run failed: {response.status} {payload[:300]!r}")
        if i >= 3:  # the first runs warm caches on both sides
            local.append(local_elapsed)
            jailed.append(jailed_elapsed)
            inside.append(result["duration_ms"])
    return local, jailed, inside


def main():
    url = urllib.parse.urlparse(sys.argv[1])
    headers = {"Content-Type": "application/json"}
    if len(sys.argv) > 2 and sys.argv[2]:
        headers["X-Internal-Token"] = sys.argv[2]
    if os.environ.get("API_KEY"):
        headers["Authorization"] = "Bearer " + os.environ["API_KEY"]
    conn = http.client.HTTPConnection(url.hostname, url.port)
    print("| level | runs | in-process p50 ms | jailed p50 ms (client) | jailed p99 ms | in-jail p50 ms | overhead factor (p50) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, code, inputs, n in levels():
        local, jailed, inside = measure(conn, headers, code, inputs, n)
        lp50 = statistics.median(local)
        jp50 = statistics.median(jailed)
        jp99 = sorted(jailed)[min(len(jailed) - 1, int(len(jailed) * 0.99))]
        print(f"| {name} | {n} | {lp50:.4f} | {jp50:.3f} | {jp99:.3f} | {statistics.median(inside):.3f} | {jp50 / lp50:.2f}x |")


if __name__ == "__main__":
    main()
