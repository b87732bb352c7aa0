-- wrk -tT ... -s scripts/bench/count.lua URL -- N T: each of the T threads stops sending once
-- it has read its share of N responses (N / T, rounded up), so about N requests are made (a
-- few more: those in flight when a thread stops are answered too). wrk itself still sleeps
-- for its whole -d: scripts/bench.sh interrupts it once the server has seen N.
local share, seen = 0, 0

function init(args)
    local n, threads = tonumber(args[1]), tonumber(args[2])
    if not n or not threads then error("count.lua: give N and the thread count after --") end
    share = math.ceil(n / threads)
end

function response(status, headers, body)
    seen = seen + 1
    if seen >= share then wrk.thread:stop() end
end
