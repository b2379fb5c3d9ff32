-- heartbeat: the holder of a batch's lease extends it. 1: extended;
-- 0: the lease expired and the batch went back to the queue; -1: not
-- this worker's batch.
-- KEYS: running, owners
-- ARGV: worker, batch, lease ms
if redis.call('HGET', KEYS[2], ARGV[2]) ~= ARGV[1] then
  return -1
end
if not redis.call('ZSCORE', KEYS[1], ARGV[2]) then
  return 0
end
redis.call('ZADD', KEYS[1], now_ms() + tonumber(ARGV[3]), ARGV[2])
return 1
