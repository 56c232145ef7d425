-- Forgets a tenant: every entity hash, its set of kinds and its "seeded" flag, atomically. It reads the
-- demo data again (seeded anew) on its next use.
-- KEYS[1] the tenant's "seeded" flag, KEYS[2] its set of kinds; ARGV[1] the prefix of its entity hashes.
local existed = redis.call('EXISTS', KEYS[1])
for _, kind in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  redis.call('DEL', ARGV[1] .. kind)
end
redis.call('DEL', KEYS[2], KEYS[1])
return existed
