-- A tenant's whole state in one atomic read.
-- KEYS[1] the tenant's "seeded" flag, KEYS[2] its set of kinds; ARGV[1] the prefix of its entity hashes.
-- Returns {0} when not seeded; else {1, kind, {id, value, ...}, kind, {...}, ...}.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return {0}
end
local out = {1}
for _, kind in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  table.insert(out, kind)
  table.insert(out, redis.call('HGETALL', ARGV[1] .. kind))
end
return out
