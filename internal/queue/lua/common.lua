-- Shared by the scripts that give units back to the queue. An entry is
-- "<predicted ms>:<times requeued>:<unit id>"; a batch's entries are
-- joined by newlines in the batches hash.
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function split(entries)
  local out = {}
  for e in string.gmatch(entries, '[^\n]+') do
    out[#out + 1] = e
  end
  return out
end

local function parse(e)
  local ms, n, id = string.match(e, '^(%d+):(%d+):(.*)$')
  return tonumber(ms), tonumber(n), id
end

-- requeue puts the entries of batch b back at the head of the queue, in
-- their order, each with its requeue count raised by one, and returns
-- their predicted milliseconds and how many.
local function requeue(meta, queue, batches, b)
  local entries = redis.call('HGET', batches, b)
  if not entries then
    return 0, 0
  end
  local list = split(entries)
  local back = 0
  for i = #list, 1, -1 do
    local ms, n, id = parse(list[i])
    redis.call('LPUSH', queue, ms .. ':' .. (n + 1) .. ':' .. id)
    back = back + ms
  end
  redis.call('HINCRBY', meta, 'remaining_ms', back)
  redis.call('HINCRBY', meta, 'requeued', #list)
  return back, #list
end
