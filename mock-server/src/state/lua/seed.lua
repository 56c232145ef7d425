-- Replaces a tenant's state with the given entities, atomically (reset, import, first use).
-- KEYS[1] the tenant's "seeded" flag, KEYS[2] its set of kinds.
-- ARGV[1] the prefix of its entity hashes, ARGV[2] "if-new" (only when not seeded yet) or "replace",
-- then triples: kind, id, body (JSON).
-- Every key shares the tenant's {hash tag}, so the kind hashes named from KEYS[2] live in the same slot.
if ARGV[2] == 'if-new' and redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
for _, kind in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  redis.call('DEL', ARGV[1] .. kind)
end
redis.call('DEL', KEYS[2])
for i = 3, #ARGV, 3 do
  redis.call('HSET', ARGV[1] .. ARGV[i], ARGV[i + 1], '1:' .. ARGV[i + 2])
  redis.call('SADD', KEYS[2], ARGV[i])
end
redis.call('SET', KEYS[1], '1')
return 1
