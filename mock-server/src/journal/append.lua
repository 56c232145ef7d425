-- Appends journal entries to the stream every replica reads, each with the next id of all replicas
-- (the stream id is `<id>-1`, so ids increase in stream order), keeping about the last ARGV[1] entries.
-- KEYS[1] the stream, KEYS[2] the last id; ARGV[1] the most entries kept, ARGV[2..] the entries as JSON.
local last = 0
for i = 2, #ARGV do
  last = redis.call('INCR', KEYS[2])
  redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], last .. '-1', 'e', ARGV[i])
end
return last
