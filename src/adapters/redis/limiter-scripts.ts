/**
 * Lua scripts of the Redis limiter store. Each decision is ONE script call (EVALSHA, with ioredis
 * falling back to EVAL on NOSCRIPT), so it is atomic and costs one round trip.
 *
 * The arithmetic is src/core/ratelimit/gcra.ts and lockout.ts line for line; see there for the
 * why. Redis runs Lua 5.1, where numbers are IEEE doubles like JavaScript's, and every value here
 * stays below 2^53 (the bounds in gcra.ts), so integer arithmetic is exact. The one trap is `%`:
 * Lua defines it as a - floor(a/b)*b, and a/b may round up to an integer, giving -1 or b; `imod`
 * corrects that so the remainder is exactly JavaScript's.
 *
 * Stored values (plain strings, so one GET/SET each):
 *   bucket  "<tatMs>:<tatRem>"                  PX = time until the bucket is empty again
 *   lock    "<cap>:<level>:<lockedUntil>:<levelExpiresAt>:<findTimeMs>[:t1,t2,...]"
 *           PX = time until the entry says nothing a fresh one would not (lockout.ts `staleAt`);
 *           lockedUntil is absolute epoch ms, so a ban outlives any process.
 */

const COMMON = `
local function imod(a, b)
  local r = a - math.floor(a / b) * b
  if r < 0 then r = r + b elseif r >= b then r = r - b end
  return r
end

-- GCRA step (gcra.ts gcraStep). Returns allowed, newMs, newRem, count, remaining, resetMs, retryAfterMs
local function gcra(ms, rem, limit, window, cost, now)
  if ms < now then ms = now; rem = 0 end
  local total = rem + cost * window
  local newRem = imod(total, limit)
  local newMs = ms + (total - newRem) / limit
  local lead = newMs - window - now
  local allowed = lead < 0 or (lead == 0 and newRem == 0)
  local cMs, cRem = ms, rem
  if allowed then cMs = newMs; cRem = newRem end
  local ahead = cMs - now
  local scaled = ahead * limit + cRem
  local r = imod(scaled, window)
  local count = (scaled - r) / window
  if r > 0 then count = count + 1 end
  local reset = ahead
  if cRem > 0 then reset = reset + 1 end
  local retry = 0
  if not allowed then
    retry = lead
    if newRem > 0 then retry = retry + 1 end
  end
  return allowed, newMs, newRem, count, limit - count, reset, retry
end

local function loadBucket(key, limit)
  local v = redis.call('GET', key)
  if not v then return 0, 0 end
  local sep = string.find(v, ':', 1, true)
  local ms = tonumber(string.sub(v, 1, sep - 1))
  local rem = tonumber(string.sub(v, sep + 1))
  if rem > limit - 1 then rem = limit - 1 end -- key reused with a smaller limit
  return ms, rem
end

-- Lock entry: cap, level, lockedUntil, levelExpiresAt, findTime, times (oldest first)
local function loadLock(key)
  local v = redis.call('GET', key)
  if not v then return nil end
  local f = {}
  for part in string.gmatch(v, '[^:]+') do f[#f + 1] = part end
  local e = { cap = tonumber(f[1]), level = tonumber(f[2]), lockedUntil = tonumber(f[3]),
              levelExp = tonumber(f[4]), find = tonumber(f[5]), times = {} }
  if f[6] then
    for t in string.gmatch(f[6], '[^,]+') do e.times[#e.times + 1] = tonumber(t) end
  end
  return e
end

-- lockout.ts lockStateOf: locked, until (-1 = none), level, failures, retryAfterMs
local function lockState(e, now)
  if not e then return 0, -1, 0, 0, 0 end
  local locked = e.lockedUntil > now
  local level = e.level
  if now >= e.levelExp then level = 0 end
  local failures = 0
  for i = #e.times, 1, -1 do
    if now - e.times[i] <= e.find then failures = failures + 1 else break end
  end
  if locked then return 1, e.lockedUntil, level, failures, e.lockedUntil - now end
  return 0, -1, level, failures, 0
end

local function fmt(n) return string.format('%.0f', n) end
`;

/**
 * KEYS: lock keys, then bucket keys. ARGV: now, number of lock keys, then limit, window, cost per
 * bucket. Reply: 5 integers per lock, then a flag (1 = buckets decided) and 5 integers per bucket
 * (allowed, count, remaining, resetMs, retryAfterMs). Buckets are all-or-nothing: phase one decides
 * each on its stored state, phase two writes only if every one allowed.
 */
export const CHECK_AND_CONSUME_LUA = `${COMMON}
local now = tonumber(ARGV[1])
local nLocks = tonumber(ARGV[2])
local out = {}
local anyLocked = false
for i = 1, nLocks do
  local l, u, lv, fl, ra = lockState(loadLock(KEYS[i]), now)
  if l == 1 then anyLocked = true end
  out[#out + 1] = l; out[#out + 1] = u; out[#out + 1] = lv; out[#out + 1] = fl; out[#out + 1] = ra
end
if anyLocked then
  out[#out + 1] = 0
  return out
end
out[#out + 1] = 1
local nBuckets = #KEYS - nLocks
local res = {}
local all = true
for b = 1, nBuckets do
  local key = KEYS[nLocks + b]
  local a = 2 + (b - 1) * 3
  local limit, window, cost = tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3])
  local ms, rem = loadBucket(key, limit)
  local ok, nMs, nRem, count, remaining, reset, retry = gcra(ms, rem, limit, window, cost, now)
  res[b] = { ok, nMs, nRem, count, remaining, reset, retry, ms, rem, limit, window }
  if not ok then all = false end
end
for b = 1, nBuckets do
  local r = res[b]
  if all then
    -- Written even for cost 0 when not idle: the state may have been clamped to a smaller limit,
    -- and the memory store keeps the clamped value too.
    local ttl = r[6]
    if ttl > 0 then
      redis.call('SET', KEYS[nLocks + b], fmt(r[2]) .. ':' .. fmt(r[3]), 'PX', fmt(ttl))
    end
  elseif r[1] then
    -- Nothing is charged: a bucket that had room reports its state without this request.
    local _, _, _, count, remaining, reset = gcra(r[8], r[9], r[10], r[11], 0, now)
    r[4] = count; r[5] = remaining; r[6] = reset
  end
  local okFlag = 0
  if r[1] then okFlag = 1 end
  out[#out + 1] = okFlag; out[#out + 1] = r[4]; out[#out + 1] = r[5]; out[#out + 1] = r[6]; out[#out + 1] = r[7]
end
return out
`;

/**
 * The single-bucket fast path (`consume`): KEYS[1] bucket; ARGV now, limit, window, cost.
 * Reply: allowed, count, remaining, resetMs, retryAfterMs. Same arithmetic, fewer arguments.
 */
export const CONSUME_LUA = `${COMMON}
local now, limit, window, cost = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local ms, rem = loadBucket(KEYS[1], limit)
local ok, nMs, nRem, count, remaining, reset, retry = gcra(ms, rem, limit, window, cost, now)
if ok then
  if reset > 0 then redis.call('SET', KEYS[1], fmt(nMs) .. ':' .. fmt(nRem), 'PX', fmt(reset)) end
  return { 1, count, remaining, reset, 0 }
end
return { 0, count, remaining, reset, retry }
`;

/**
 * KEYS[1]: lock key. ARGV: now, maxFailures, findTimeMs, banMs, banMultiplier, maxBanMs,
 * forgetAfterMs. lockout.ts applyFailure, then lockStateOf. Reply: 5 integers as above.
 */
export const RECORD_FAILURE_LUA = `${COMMON}
local now = tonumber(ARGV[1])
local cap, find, banMs = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local mult, maxBan, forget = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local e = loadLock(KEYS[1])
if not e then e = { cap = cap, level = 0, lockedUntil = 0, levelExp = 0, find = find, times = {} } end
if e.lockedUntil > now then
  local l, u, lv, fl, ra = lockState(e, now)
  return { l, u, lv, fl, ra }
end
if e.cap ~= cap then e.cap = cap; e.times = {} end
e.find = find
e.times[#e.times + 1] = now
while #e.times > cap do table.remove(e.times, 1) end
if #e.times == cap and now - e.times[1] <= find then
  local level = e.level + 1
  if now >= e.levelExp then level = 1 end
  -- lockout.ts banLength: banMs * mult^(level-1), capped, rounded up to whole ms
  local len = banMs * (mult ^ (level - 1))
  if len ~= len or len > maxBan then len = maxBan end
  len = math.ceil(len)
  e.level = level
  e.lockedUntil = now + len
  e.levelExp = e.lockedUntil + forget
  e.times = {}
end
local stale = e.levelExp
if #e.times > 0 and now + find > stale then stale = now + find end
local l, u, lv, fl, ra = lockState(e, now)
if stale > now then
  local v = fmt(e.cap) .. ':' .. fmt(e.level) .. ':' .. fmt(e.lockedUntil) .. ':' .. fmt(e.levelExp) .. ':' .. fmt(e.find)
  if #e.times > 0 then
    local ts = {}
    for i = 1, #e.times do ts[i] = fmt(e.times[i]) end
    v = v .. ':' .. table.concat(ts, ',')
  end
  redis.call('SET', KEYS[1], v, 'PX', fmt(stale - now))
else
  redis.call('DEL', KEYS[1])
end
return { l, u, lv, fl, ra }
`;

/** KEYS[1]: lock key. ARGV: now. Reply: 5 integers (lockStateOf). */
export const IS_LOCKED_LUA = `${COMMON}
local l, u, lv, fl, ra = lockState(loadLock(KEYS[1]), tonumber(ARGV[1]))
return { l, u, lv, fl, ra }
`;

/**
 * KEYS[1]: lock key. Forgets recent failures; the lock and its escalation level stay (with the
 * entry's remaining TTL: at or after levelExpiresAt, so an idle entry may linger a little, which
 * changes no answer). An entry with nothing left to remember is deleted.
 */
export const CLEAR_LUA = `${COMMON}
local e = loadLock(KEYS[1])
if not e then return 0 end
if e.level == 0 and e.lockedUntil == 0 then
  redis.call('DEL', KEYS[1])
  return 1
end
local v = fmt(e.cap) .. ':' .. fmt(e.level) .. ':' .. fmt(e.lockedUntil) .. ':' .. fmt(e.levelExp) .. ':' .. fmt(e.find)
redis.call('SET', KEYS[1], v, 'KEEPTTL')
return 1
`;
