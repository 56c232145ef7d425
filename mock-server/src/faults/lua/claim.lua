-- Claims one use of a counted rule for a request, atomically across replicas: the uses left after it, or
-- -1 when none was left (the rule is used up or removed). The last use removes the rule.
-- KEYS[1] the rules, KEYS[2] the counts, KEYS[3] the version; ARGV[1] the rule's id.
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0 then
  return -1
end
local left = redis.call('HINCRBY', KEYS[2], ARGV[1], -1)
if left <= 0 then
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('HDEL', KEYS[2], ARGV[1])
  redis.call('INCR', KEYS[3])
end
if left < 0 then
  return -1
end
return left
