-- Every rule with what is left of its count, and the version they are at, read together.
-- KEYS[1] the rules, KEYS[2] the counts, KEYS[3] the version.
return {redis.call('GET', KEYS[3]) or '0', redis.call('HGETALL', KEYS[1]), redis.call('HGETALL', KEYS[2])}
