-- POSTs the JSON body in $BODY (with $TOKEN as X-Internal-Token when set) and prints one RESULT line.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
if os.getenv("TOKEN") then wrk.headers["X-Internal-Token"] = os.getenv("TOKEN") end
local file = assert(io.open(os.getenv("BODY"), "rb"))
wrk.body = file:read("*a")
file:close()

done = function(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT %.1f %.3f %d\n", summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, errors))
end
