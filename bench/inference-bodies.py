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
