-- Every entity of a kind, from a seeded tenant.
-- KEYS[1] the tenant's "seeded" flag, KEYS[2] the kind's hash.
-- Returns {0} when the tenant is not seeded yet; else {1, {id, value, ...}}.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return {0}
end
return {1, redis.call('HGETALL', KEYS[2])}
