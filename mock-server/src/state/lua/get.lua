-- Entities by id, in one atomic read, from a seeded tenant.
-- KEYS[1] the tenant's "seeded" flag, KEYS[1 + i] the kind hash of the i-th entity; ARGV[i] its id.
-- Returns {0} when the tenant is not seeded yet; else {1, value or nil, …} in the order asked.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return {0}
end
local out = {1}
for i = 1, #ARGV do
  out[i + 1] = redis.call('HGET', KEYS[i + 1], ARGV[i])
end
return out
