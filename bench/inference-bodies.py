"""Writes the request bodies the inference benchmark posts (deterministic data)."""
import json, math, random, sys

out = sys.argv[1]
random.seed(7)

def mlp(rows, cache):
    data = [round(random.uniform(-1, 1), 4) for _ in range(rows * 784)]
    return {"inputs": [{"name": "x", "shape": [rows, 784], "datatype": "FP32", "data": data}], "parameters": {"cache": cache}}

for rows in (1, 10, 100, 1000):
    json.dump(mlp(rows, False), open(f"{out}/mlp-{rows}.json", "w"))
json.dump(mlp(1, True), open(f"{out}/mlp-1-cached.json", "w"))
samples = [round(math.sin(i * 0.01) * 0.5, 4) for i in range(16000)]
for cache in (False, True):
    body = {"inputs": [{"name": "input", "shape": [1, 16000], "datatype": "FP32", "data": samples}], "parameters": {"cache": cache}}
    json.dump(body, open(f"{out}/mel-1{'-cached' if cache else ''}.json", "w"))

# Binary tensor data bodies (Inference-Header-Content-Length): the JSON header, then the raw little-endian FP32 rows.
# The header length goes to NAME.hlen for the wrk script.
import struct

def binary(name, input_name, rows, cols, values, binary_output):
    params = {"cache": False}
    if binary_output:
        params["binary_data_output"] = True
    header = json.dumps({"inputs": [{"name": input_name, "shape": [rows, cols], "datatype": "FP32",
                                     "parameters": {"binary_data_size": rows * cols * 4}}], "parameters": params}).encode()
    with open(f"{out}/{name}", "wb") as f:
        f.write(header)
        f.write(struct.pack(f"<{rows * cols}f", *values))
    with open(f"{out}/{name}.hlen", "w") as f:
        f.write(str(len(header)))

random.seed(7)
for rows in (1, 1000):
    values = [round(random.uniform(-1, 1), 4) for _ in range(rows * 784)]
    binary(f"mlp-{rows}.bin", "x", rows, 784, values, False)
    binary(f"mlp-{rows}-out.bin", "x", rows, 784, values, True)
binary("mel-1.bin", "input", 1, 16000, samples, False)
