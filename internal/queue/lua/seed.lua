-- seed: the first worker to arrive creates the queue; the others learn
-- whose it is. Atomic: the queue exists whole or not at all.
-- KEYS: meta, queue
-- ARGV: fingerprint, worker, ttl ms, total predicted ms, workers, lease ms, entries...
local meta, queue = KEYS[1], KEYS[2]
if redis.call('EXISTS', meta) == 1 then
  local v = redis.call('HMGET', meta, 'fingerprint', 'seeded_by', 'units')
  return {0, v[1] or '', v[2] or '', v[3] or '0'}
end
local n = #ARGV - 6
for i = 7, #ARGV, 4000 do
  redis.call('RPUSH', queue, unpack(ARGV, i, math.min(i + 3999, #ARGV)))
end
redis.call('HSET', meta, 'fingerprint', ARGV[1], 'seeded_by', ARGV[2], 'seeded_at', now_ms(),
  'units', n, 'total_ms', ARGV[4], 'remaining_ms', ARGV[4], 'workers', ARGV[5], 'lease_ms', ARGV[6],
  'done', 0, 'requeued', 0, 'seq', 0)
redis.call('PEXPIRE', meta, ARGV[3])
if n > 0 then
  redis.call('PEXPIRE', queue, ARGV[3])
end
return {1, ARGV[1], ARGV[2], tostring(n)}
