-- wrk script: POST a trivial block to /v1/blocks/run (through the gateway or straight to the runner).
-- TOKEN: the internal token when talking to the runner directly; API_KEY: a gateway API key, when keys are on.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local token = os.getenv("TOKEN")
if token and token ~= "" then wrk.headers["X-Internal-Token"] = token end
local key = os.getenv("API_KEY")
if key and key ~= "" then wrk.headers["Authorization"] = "Bearer " .. key end
wrk.body = '{"language":"python","code":"def run(inputs):\\n    return {\\"y\\": inputs[\\"a\\"] + inputs[\\"b\\"]}","inputs":{"a":1,"b":2}}'

local bad = 0
response = function(status, headers, body)
  if status ~= 200 or not string.find(body, '"status":"ok"', 1, true) then
    bad = bad + 1
    if bad <= 3 then io.stderr:write("unexpected response " .. status .. ": " .. string.sub(body, 1, 300) .. "\n") end
  end
end
