-- Entities by id and whole kinds, in one atomic read, from a seeded tenant.
-- KEYS[1] the tenant's "seeded" flag; KEYS[1 + i] the kind hash of the i-th entity and ARGV[i] its id
-- (i = 1..#ARGV); the keys after those: kind hashes read whole.
-- Returns {0} when the tenant is not seeded yet; else {1, value or nil for each entity, in the order asked,
-- then {id, value, ...} for each kind read whole}.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return {0}
end
local out = {1}
for i = 1, #ARGV do
  out[i + 1] = redis.call('HGET', KEYS[i + 1], ARGV[i])
end
for k = #ARGV + 2, #KEYS do
  out[#out + 1] = redis.call('HGETALL', KEYS[k])
end
return out
