-- release: the holder gives a batch back at once (stopped, or its
-- command could not start), so that another worker takes it without
-- waiting for the lease to expire. 1: released; 0: not held.
-- KEYS: meta, queue, running, batches, owners, lost
-- ARGV: worker, batch, ttl ms
local meta, queue, running, batches, owners, lost = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
if redis.call('HGET', owners, ARGV[2]) ~= ARGV[1] or not redis.call('ZSCORE', running, ARGV[2]) then
  return 0
end
requeue(meta, queue, batches, ARGV[2])
redis.call('ZREM', running, ARGV[2])
redis.call('HSET', lost, ARGV[2], ARGV[1] .. ' ' .. now_ms() .. ' released')
redis.call('PEXPIRE', lost, ARGV[3])
redis.call('PEXPIRE', queue, ARGV[3])
return 1
