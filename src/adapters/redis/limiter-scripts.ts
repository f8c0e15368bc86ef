/**
 * Lua scripts of the Redis limiter store. Each decision is ONE script call (EVALSHA, with ioredis
 * falling back to EVAL on NOSCRIPT), so it is atomic and costs one round trip.
 *
 * The arithmetic is src/core/ratelimit/gcra.ts and lockout.ts line for line; see there for the
 * why. Redis runs Lua 5.1, where numbers are IEEE doubles like JavaScript's, and every value here
 * stays below 2^53 (the bounds in gcra.ts), so integer arithmetic is exact. No `%`: Lua defines
 * it as a - floor(a/b)*b, where a rounded a/b could give -1 or b; the scripts take the quotient
 * with math.floor(a / b), exact below 2^53 as gcra.ts `quotient` explains, and subtract.
 *
 * Bucket scripts answer with the bucket's stored state (the TAT) and their allow/refuse verdict,
 * not with counts: the client runs gcra.ts on that state (it has every other input), so the
 * script does only what must happen atomically on the server (read, decide, write) and the
 * counts come from the one implementation every store shares. The client checks that its verdict
 * is the script's.
 *
 * Stored values (plain strings, so one GET/SET each):
 *   bucket  "<tatMs>:<tatRem>"                  PX = time until the bucket is empty again
 *   lock    "<cap>:<level>:<lockedUntil>:<levelExpiresAt>:<findTimeMs>[:t1,t2,...]"
 *           PX = time until the entry says nothing a fresh one would not (lockout.ts `staleAt`);
 *           lockedUntil is absolute epoch ms, so a ban outlives any process.
 */

/** Bucket state: read (clamped to the limit's units), GCRA decision and new TAT, write. */
const BUCKET = `
local function loadBucket(key, limit)
  local v = redis.call('GET', key)
  if not v then return 0, 0 end
  local sep = string.find(v, ':', 1, true)
  local ms = tonumber(string.sub(v, 1, sep - 1))
  local rem = tonumber(string.sub(v, sep + 1))
  if rem > limit - 1 then rem = limit - 1 end -- key reused with a smaller limit
  return ms, rem
end

-- gcra.ts gcraStep, the verdict and the new TAT only. math.floor of the quotient is exact below
-- 2^53 (see gcra.ts quotient). Returns allowed, newMs, newRem, ttl (ms until the bucket is empty).
local function gcraNext(ms, rem, limit, window, cost, now)
  if ms < now then ms = now; rem = 0 end
  local total = rem + cost * window
  local q = math.floor(total / limit)
  local newRem = total - q * limit
  local newMs = ms + q
  local lead = newMs - window - now
  local ttl = newMs - now
  if newRem > 0 then ttl = ttl + 1 end
  return lead < 0 or (lead == 0 and newRem == 0), newMs, newRem, ttl
end

-- Lua's own number text (%.14g) is exact below 1e14 (epoch ms until the year 5138) and cheaper
-- than string.format; the TTL is an integer Redis formats itself.
local function storeBucket(key, ms, rem, ttl)
  local v
  if ms < 1e14 then v = ms .. ':' .. rem else v = string.format('%.0f:%.0f', ms, rem) end
  redis.call('SET', key, v, 'PX', ttl)
end
`;

/** Lock entries (lockout.ts): parse, state, number text. */
const LOCK = `
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
 * bucket. Reply: 5 integers per lock, then a flag (1 = buckets decided) and per bucket its
 * verdict (1 = had room for this request) and stored state (tatMs, tatRem) before the call.
 * Buckets are all-or-nothing: phase one decides each on its stored state, phase two writes only
 * if every one allowed.
 */
export const CHECK_AND_CONSUME_LUA = `${BUCKET}${LOCK}
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
local base = #out
local nBuckets = #KEYS - nLocks
local all = true
local next = {}
for b = 1, nBuckets do
  local a = 2 + (b - 1) * 3
  local limit, window, cost = tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3])
  local ms, rem = loadBucket(KEYS[nLocks + b], limit)
  local ok, nMs, nRem, ttl = gcraNext(ms, rem, limit, window, cost, now)
  if not ok then all = false end
  local o = base + (b - 1) * 3
  if ok then out[o + 1] = 1 else out[o + 1] = 0 end
  out[o + 2] = ms; out[o + 3] = rem
  next[b * 3 - 2] = nMs; next[b * 3 - 1] = nRem; next[b * 3] = ttl
end
if all then
  for b = 1, nBuckets do
    -- Written even for cost 0 when not idle: the state may have been clamped to a smaller limit,
    -- and the memory store keeps the clamped value too.
    local ttl = next[b * 3]
    if ttl > 0 then storeBucket(KEYS[nLocks + b], next[b * 3 - 2], next[b * 3 - 1], ttl) end
  end
end
return out
`;

/**
 * The single-bucket fast path (`consume`): KEYS[1] bucket; ARGV now, limit, window, cost.
 * Reply: verdict (1 = allowed and charged), stored tatMs, tatRem before the call.
 */
export const CONSUME_LUA = `${BUCKET}
local now, limit, window, cost = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local ms, rem = loadBucket(KEYS[1], limit)
local ok, nMs, nRem, ttl = gcraNext(ms, rem, limit, window, cost, now)
if ok then
  if ttl > 0 then storeBucket(KEYS[1], nMs, nRem, ttl) end
  return { 1, ms, rem }
end
return { 0, ms, rem }
`;

/**
 * KEYS[1]: lock key. ARGV: now, maxFailures, findTimeMs, banMs, banMultiplier, maxBanMs,
 * forgetAfterMs. lockout.ts applyFailure, then lockStateOf. Reply: 5 integers as above.
 */
export const RECORD_FAILURE_LUA = `${LOCK}
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
export const IS_LOCKED_LUA = `${LOCK}
local l, u, lv, fl, ra = lockState(loadLock(KEYS[1]), tonumber(ARGV[1]))
return { l, u, lv, fl, ra }
`;

/**
 * KEYS[1]: lock key. Forgets recent failures; the lock and its escalation level stay (with the
 * entry's remaining TTL: at or after levelExpiresAt, so an idle entry may linger a little, which
 * changes no answer). An entry with nothing left to remember is deleted.
 */
export const CLEAR_LUA = `${LOCK}
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
