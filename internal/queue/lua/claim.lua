-- claim: give back the batches whose lease expired, then take the next
-- batch from the head of the queue, sized by guided scheduling: units
-- until their predicted time reaches remaining / divisor (at least one,
-- at most max units).
-- KEYS: meta, queue, running, batches, owners, log, lost
-- ARGV: worker, lease ms, divisor, ttl ms, max units, min batch ms
local meta, queue, running, batches, owners, log, lost = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]
if redis.call('EXISTS', meta) == 0 then
  return {'gone'}
end
local now = now_ms()
local ttl = ARGV[4]
local expired = redis.call('ZRANGEBYSCORE', running, '-inf', now, 'LIMIT', 0, 100)
for _, b in ipairs(expired) do
  requeue(meta, queue, batches, b)
  redis.call('ZREM', running, b)
  redis.call('HSET', lost, b, (redis.call('HGET', owners, b) or '') .. ' ' .. now)
  redis.call('PEXPIRE', lost, ttl)
  redis.call('PEXPIRE', queue, ttl)
end
if redis.call('LLEN', queue) == 0 then
  local first = redis.call('ZRANGE', running, 0, 0, 'WITHSCORES')
  if #first == 0 then
    return {'drained'}
  end
  return {'wait', tostring(math.max(0, tonumber(first[2]) - now))}
end
local remaining = tonumber(redis.call('HGET', meta, 'remaining_ms') or '0')
local target = math.max(remaining / tonumber(ARGV[3]), tonumber(ARGV[6]))
local max_units = tonumber(ARGV[5])
local take, sum, off = {}, 0, 0
local full = false
while not full do
  local chunk = redis.call('LRANGE', queue, off, off + 127)
  if #chunk == 0 then
    break
  end
  for _, e in ipairs(chunk) do
    take[#take + 1] = e
    sum = sum + parse(e)
    if #take >= max_units or sum >= target then
      full = true
      break
    end
  end
  off = off + #chunk
end
redis.call('LTRIM', queue, #take, -1)
local seq = redis.call('HINCRBY', meta, 'seq', 1)
local b = 'b' .. seq
local deadline = now + tonumber(ARGV[2])
redis.call('HSET', batches, b, table.concat(take, '\n'))
redis.call('HSET', owners, b, ARGV[1])
redis.call('ZADD', running, deadline, b)
redis.call('RPUSH', log, b)
if remaining - sum < 0 then
  sum = remaining
end
redis.call('HINCRBY', meta, 'remaining_ms', -sum)
for _, k in ipairs({batches, owners, running, log}) do
  redis.call('PEXPIRE', k, ttl)
end
local out = {'batch', b, tostring(now), tostring(deadline)}
for _, e in ipairs(take) do
  out[#out + 1] = e
end
return out
