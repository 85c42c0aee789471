-- bench/ingest.lua: wrk script for bench/ingest — PagerDuty Events v2 triggers over N dedup keys.
--
-- Arguments (after "--" on the wrk command line):
--   1 routing key (32 chars)   2 dedup-key prefix   3 number of dedup keys   4 seconds to send
--   5 batch size: 0 (default) sends PagerDuty Events v2 triggers to /v2/enqueue; N > 0 sends
--     Alertmanager webhooks of N firing alerts each to /api/integrations/prometheus (the
--     fingerprints cycle over the same dedup keys), so each 202 stands for N alerts
--
-- Each thread cycles over the dedup keys "<prefix><000..N-1>". Triggers are sent for <seconds>
-- (measured from init); after that request() returns an empty string, which wrk writes as zero
-- bytes, so a connection goes quiet once its last trigger is answered. bench/ingest runs wrk for
-- a little longer than <seconds>, so every trigger that was sent has its response counted before
-- wrk closes its sockets: the number of 202s can then be compared exactly with the alerts
-- stored, and wrk's latency histogram holds trigger latencies only.
--
-- done() prints one machine-readable line for bench/ingest:
--   OKBENCH sent=.. responses=.. s202=.. non2xx=.. window_s=.. events_per_s=.. p50_ms=.. p99_ms=.. statuses=202:..,429:..

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } okbench_timespec;
int clock_gettime(int clk_id, okbench_timespec *tp);
unsigned long pthread_self(void);
]]
local CLOCK_MONOTONIC = 1
local ts = ffi.new("okbench_timespec")

local function now()
	ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
	return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) * 1e-9
end

local path = "/v2/enqueue"
local headers = { ["Content-Type"] = "application/json", ["Accept"] = "application/json" }

local function body(key, prefix, i)
	return string.format(
		'{"routing_key":"%s","event_action":"trigger","dedup_key":"%s%03d",' ..
		'"payload":{"summary":"bench event %d","source":"bench-ingest","severity":"warning",' ..
		'"custom_details":{"bench":true,"key":%d}}}',
		key, prefix, i, i, i)
end

-- an Alertmanager v4 webhook with alerts i*batch .. i*batch+batch-1 (mod nkeys)
local function batch_body(prefix, i, batch, n)
	local alerts = {}
	for j = 0, batch - 1 do
		local k = (i * batch + j) % n
		alerts[#alerts + 1] = string.format(
			'{"status":"firing","labels":{"alertname":"BenchAlert","instance":"host-%03d",' ..
			'"severity":"warning"},"annotations":{"summary":"bench alert %d"},' ..
			'"startsAt":"2026-01-01T00:00:00Z","endsAt":"0001-01-01T00:00:00Z",' ..
			'"fingerprint":"%s%03d"}', k, k, prefix, k)
	end
	return '{"version":"4","status":"firing","receiver":"opsknight","groupKey":"{}:{}",' ..
		'"groupLabels":{},"commonLabels":{},"commonAnnotations":{},"externalURL":"",' ..
		'"alerts":[' .. table.concat(alerts, ",") .. ']}'
end

-- main state: remember every thread so done() can read its counters ----------------------------
local threads = {}
local nthreads = 0

function setup(thread)
	thread:set("id", nthreads)
	table.insert(threads, thread)
	nthreads = nthreads + 1
end

-- thread state ---------------------------------------------------------------------------------
-- "id" is set by setup() before init() runs; "nthreads" is not known yet, so the key
-- sequence is id, id+1, ... (mod N): threads start on different keys and each covers all keys.
local reqs, nkeys, cursor, deadline, init_thread
sent, responses, last = 0, 0, 0
statuses = {}

function init(args)
	local key = args[1] or ""
	local prefix = args[2] or "bench-"
	nkeys = tonumber(args[3]) or 500
	local seconds = tonumber(args[4]) or 15
	local batch = tonumber(args[5]) or 0
	reqs = {}
	for i = 0, nkeys - 1 do
		if batch > 0 then
			reqs[i] = wrk.format("POST", "/api/integrations/prometheus?integrationKey=" .. key,
				headers, batch_body(prefix, i, batch, nkeys))
		else
			reqs[i] = wrk.format("POST", path, headers, body(key, prefix, i))
		end
	end
	cursor = (id or 0) * 37 % nkeys
	-- wrk 4.x calls request() once in thread 0's state from the main OS thread to inspect the
	-- request; that call must return a real request but is not a sent one.
	init_thread = ffi.C.pthread_self()
	start = now()
	deadline = start + seconds
end

function request()
	if reqs == nil then
		-- main state (wrk calls request() once there to count pipelined requests)
		return wrk.format("POST", path, headers, "{}")
	end
	if now() >= deadline then
		return "" -- stop sending: wrk writes nothing and the connection stays idle
	end
	local r = reqs[cursor]
	if ffi.C.pthread_self() == init_thread then
		return r
	end
	cursor = (cursor + 1) % nkeys
	sent = sent + 1
	return r
end

function response(status, hdrs, b)
	responses = responses + 1
	statuses[status] = (statuses[status] or 0) + 1
	last = now()
end

-- main state again -----------------------------------------------------------------------------
function done(summary, latency, requests)
	local total = {}
	local tsent, tresp, first, lastresp = 0, 0, nil, 0
	for _, t in ipairs(threads) do
		tsent = tsent + (t:get("sent") or 0)
		tresp = tresp + (t:get("responses") or 0)
		local s = t:get("start")
		if s and (first == nil or s < first) then first = s end
		local l = t:get("last") or 0
		if l > lastresp then lastresp = l end
		local st = t:get("statuses") or {}
		for code, n in pairs(st) do
			total[code] = (total[code] or 0) + n
		end
	end

	local codes = {}
	for code in pairs(total) do table.insert(codes, code) end
	table.sort(codes)
	local s202, non2xx, parts = 0, 0, {}
	for _, code in ipairs(codes) do
		local n = total[code]
		if code == 202 then s202 = s202 + n end
		if code < 200 or code > 299 then non2xx = non2xx + n end
		table.insert(parts, string.format("%d:%d", code, n))
	end

	local window = 0
	if first and lastresp > first then window = lastresp - first end
	local eps = 0
	if window > 0 then eps = s202 / window end

	io.write("\nstatus counts:\n")
	for _, code in ipairs(codes) do
		io.write(string.format("  %d  %d\n", code, total[code]))
	end
	io.write(string.format(
		"OKBENCH sent=%d responses=%d s202=%d non2xx=%d window_s=%.3f events_per_s=%.1f " ..
		"p50_ms=%.2f p99_ms=%.2f max_ms=%.2f socket_errors=%d statuses=%s\n",
		tsent, tresp, s202, non2xx, window, eps,
		latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
		summary.errors.connect + summary.errors.read + summary.errors.write,
		(#parts > 0) and table.concat(parts, ",") or "none"))
end
