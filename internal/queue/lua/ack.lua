-- ack: a worker ran a batch to its end. When it still held the lease the
-- batch leaves the running set; when the lease had expired, the units
-- that went back to the queue and that nobody claimed again are taken
-- out of it (they ran). Every unit's acknowledgements are counted.
-- KEYS: meta, queue, running, batches, owners, acks
-- ARGV: worker, batch, ttl ms
-- Returns {held (1/0, -1 for an unknown batch), first acks, repeated acks, taken back}
local meta, queue, running, batches, owners, acks = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local entries = redis.call('HGET', batches, ARGV[2])
if not entries then
  return {-1, 0, 0, 0}
end
local held = redis.call('HGET', owners, ARGV[2]) == ARGV[1] and redis.call('ZSCORE', running, ARGV[2]) ~= false
if held then
  redis.call('ZREM', running, ARGV[2])
end
local first, again, back, back_ms = 0, 0, 0, 0
for _, e in ipairs(split(entries)) do
  local ms, n, id = parse(e)
  if not held and redis.call('LREM', queue, 1, ms .. ':' .. (n + 1) .. ':' .. id) == 1 then
    back = back + 1
    back_ms = back_ms + ms
  end
  if redis.call('HINCRBY', acks, id, 1) == 1 then
    first = first + 1
  else
    again = again + 1
  end
end
redis.call('HINCRBY', meta, 'done', first)
if back_ms > 0 then
  redis.call('HINCRBY', meta, 'remaining_ms', -back_ms)
end
redis.call('PEXPIRE', acks, ARGV[3])
local h = 0
if held then
  h = 1
end
return {h, first, again, back}
