-- One entity (ARGV[1] given) or every entity of a kind (no ARGV), from a seeded tenant.
-- KEYS[1] the tenant's "seeded" flag, KEYS[2] the kind's hash.
-- Returns {0} when the tenant is not seeded yet; else {1, value} / {1} (absent) / {1, {id, value, ...}}.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return {0}
end
if #ARGV == 1 then
  local stored = redis.call('HGET', KEYS[2], ARGV[1])
  if stored then
    return {1, stored}
  end
  return {1}
end
return {1, redis.call('HGETALL', KEYS[2])}
