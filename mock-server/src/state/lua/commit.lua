-- A guarded commit: every guard is checked, then every write applied, in one atomic step.
-- KEYS[1] the tenant's "seeded" flag, KEYS[2] its set of kinds, KEYS[3..] the kind hashes involved.
-- ARGV: guard count, then per guard: type (E exists, A absent, V version is), key index, id, version;
--       write count, then per write: type (P put, D delete), key index, kind, id, body.
-- Entities are stored as "<version>:<json>". Returns -1 committed, -2 tenant not seeded (the caller
-- seeds it and retries), or the 0-based index of the first guard that failed (nothing written).
if redis.call('EXISTS', KEYS[1]) == 0 then
  return -2
end
local function version(key, id)
  local stored = redis.call('HGET', key, id)
  if not stored then
    return 0
  end
  return tonumber(string.match(stored, '^(%d+):'))
end
local i = 1
local guards = tonumber(ARGV[i])
i = i + 1
for g = 1, guards do
  local kind, key, id, want = ARGV[i], KEYS[tonumber(ARGV[i + 1])], ARGV[i + 2], tonumber(ARGV[i + 3])
  i = i + 4
  local current = version(key, id)
  if (kind == 'E' and current == 0) or (kind == 'A' and current ~= 0) or (kind == 'V' and current ~= want) then
    return g - 1
  end
end
local writes = tonumber(ARGV[i])
i = i + 1
for _ = 1, writes do
  local op, key, kind, id, body = ARGV[i], KEYS[tonumber(ARGV[i + 1])], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
  i = i + 5
  if op == 'P' then
    redis.call('HSET', key, id, (version(key, id) + 1) .. ':' .. body)
    redis.call('SADD', KEYS[2], kind)
  else
    redis.call('HDEL', key, id)
  end
end
return -1
