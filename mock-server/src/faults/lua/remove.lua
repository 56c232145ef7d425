-- Removes one rule (ARGV[1]: its id) or, with ARGV[1] = '*', every rule; 1 when something was removed.
-- KEYS[1] the rules, KEYS[2] the counts, KEYS[3] the version.
local removed
if ARGV[1] == '*' then
  removed = redis.call('DEL', KEYS[1], KEYS[2])
else
  removed = redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('HDEL', KEYS[2], ARGV[1])
end
redis.call('INCR', KEYS[3])
if removed > 0 then
  return 1
end
return 0
