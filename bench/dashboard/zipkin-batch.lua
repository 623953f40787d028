-- wrk script: POST Zipkin v2 batches of one three-span trace (gateway server + client, worker server),
-- each request a new random trace id, so every request adds a trace to the dashboard's span store.
-- Each wrk thread has its own Lua state: seed each differently, or threads would repeat each other's ids.
init = function(args)
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 1000003)
end

local function hex(n)
  local t = {}
  for i = 1, n do t[i] = string.format("%x", math.random(0, 15)) end
  return table.concat(t)
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

request = function()
  local trace = hex(32)
  local now = math.floor(os.time() * 1000000)
  local body = string.format(
    '[{"traceId":"%s","id":"%s","kind":"SERVER","name":"POST /v2/models/{model}/infer","timestamp":%d,"duration":1800,' ..
    '"localEndpoint":{"serviceName":"gateway"},"tags":{"http.route":"/v2/models/{model}/infer","http.request.method":"POST","http.response.status_code":"200","server.port":"8080"}},' ..
    '{"traceId":"%s","id":"%s","parentId":"%s","kind":"CLIENT","name":"POST","timestamp":%d,"duration":1500,' ..
    '"localEndpoint":{"serviceName":"gateway"},"tags":{"url.full":"http://127.0.0.1:5001/v2/models/mlp/infer","http.response.status_code":"200"}},' ..
    '{"traceId":"%s","id":"%s","parentId":"%s","kind":"SERVER","name":"POST /v2/models/{model}/infer","timestamp":%d,"duration":900,' ..
    '"localEndpoint":{"serviceName":"inference"},"tags":{"http.route":"/v2/models/{model}/infer","http.response.status_code":"200"}}]',
    trace, "a000000000000001", now, trace, "a000000000000002", "a000000000000001", now + 100,
    trace, "a000000000000003", "a000000000000002", now + 300)
  return wrk.format(nil, nil, nil, body)
end
