-- bench/mix.lua, counting 5xx answers (the mix's 4xx are intended); used by bench/soak.sh.
dofile("bench/mix.lua")
local mix_response = response
local threads = {}
fives = 0

setup = function(thread) table.insert(threads, thread) end

response = function(status, headers, body)
  if status >= 500 then fives = fives + 1 end
  mix_response(status, headers, body)
end

done = function(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("fives") end
  io.write(string.format("SOAK requests=%d p99_ms=%.2f fives=%d socket_errors=%d\n", summary.requests,
    latency:percentile(99) / 1000, total,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
