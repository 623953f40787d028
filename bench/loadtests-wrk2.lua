-- wrk2-style measurement with plain wrk (wrk2 is not packaged for this machine): each thread drives one connection on
-- a constant schedule (rate/threads per second, a random phase per thread) and times every request from its intended
-- start, not from when it was actually written, so a late answer delays the schedule's next request without hiding
-- the wait (the coordinated-omission correction wrk2 makes). Time comes from clock_gettime(CLOCK_MONOTONIC) through
-- LuaJIT's ffi. wrk's timer has 1 ms resolution, so delay() wakes the connection up to 1 ms early and request()
-- finishes the wait itself (nanosleep short of the target, then a spin), as LoadTests' dispatcher does.
-- (wrk calls init() from its own wrk.init, so init must not call wrk.init.)
--   wrk -tN -cN -d10s -s bench/loadtests-wrk2.lua URL -- RATE N [WARMUP_SECONDS]   (N threads, one connection each)
-- prints: wrk2-style rate=… n=… corrected p50=… p99=… max=… ms; uncorrected p50=… p99=… ms
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } lt_timespec;
int clock_gettime(int clock, lt_timespec *tp);
int nanosleep(const lt_timespec *req, lt_timespec *rem);
]]
local clock = ffi.new("lt_timespec")
local sleep = ffi.new("lt_timespec")
local function now_us()
  ffi.C.clock_gettime(1, clock)
  return tonumber(clock.tv_sec) * 1e6 + tonumber(clock.tv_nsec) / 1e3
end

local threads = {}
function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

local interval_us, warmup_until, next_us, intended_us, sent_us
corrected, uncorrected, count = {}, {}, 0

function init(args)
  local rate, n = tonumber(args[1]), tonumber(args[2])
  if not rate or not n then error("usage: wrk -tN -cN -s loadtests-wrk2.lua URL -- RATE N [WARMUP_SECONDS]") end
  interval_us = 1e6 * n / rate
  math.randomseed(id * 7919)
  local start = now_us()
  next_us = start + interval_us * math.random()
  warmup_until = start + 1e6 * (tonumber(args[3]) or 1)
end

function delay()
  local wait = next_us - now_us()
  if wait > 1500 then
    return math.floor((wait - 1000) / 1000)
  end
  return 0
end

function request()
  local wait = next_us - now_us()
  if wait > 80 then
    sleep.tv_sec = 0
    sleep.tv_nsec = (wait - 60) * 1000
    ffi.C.nanosleep(sleep, nil)
  end
  while now_us() < next_us do end
  intended_us = next_us
  sent_us = now_us()
  next_us = next_us + interval_us
  return wrk.request()
end

function response(status, headers, body)
  local done = now_us()
  if intended_us >= warmup_until then
    count = count + 1
    corrected[count] = (done - intended_us) / 1000
    uncorrected[count] = (done - sent_us) / 1000
  end
end

local function percentile(sorted, p)
  if #sorted == 0 then return 0 end
  local rank = math.max(1, math.ceil(p / 100 * #sorted))
  return sorted[rank]
end

function done(summary, latency, requests)
  local all_c, all_u = {}, {}
  for _, thread in ipairs(threads) do
    for _, v in ipairs(thread:get("corrected")) do table.insert(all_c, v) end
    for _, v in ipairs(thread:get("uncorrected")) do table.insert(all_u, v) end
  end
  table.sort(all_c)
  table.sort(all_u)
  io.write(string.format("wrk2-style n=%d corrected p50=%.3f p99=%.3f max=%.3f ms; uncorrected p50=%.3f p99=%.3f ms; errors=%d\n",
    #all_c, percentile(all_c, 50), percentile(all_c, 99), all_c[#all_c] or 0, percentile(all_u, 50), percentile(all_u, 99),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout))
end
