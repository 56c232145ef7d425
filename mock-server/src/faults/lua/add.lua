-- Adds a fault rule unless there are already as many as allowed, and says so to every replica.
-- KEYS[1] the rules (id -> JSON), KEYS[2] the counts (id -> uses left), KEYS[3] the version, KEYS[4] the last id;
-- ARGV[1] the most rules, ARGV[2] the rule as JSON, ARGV[3] its count ('' for a rule that stays).
if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[1]) then
  return -1
end
local id = redis.call('INCR', KEYS[4])
redis.call('HSET', KEYS[1], id, ARGV[2])
if ARGV[3] ~= '' then
  redis.call('HSET', KEYS[2], id, ARGV[3])
end
redis.call('INCR', KEYS[3])
return id
