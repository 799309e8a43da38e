-- wrk request script for the API benchmark and the HTTP ceiling (bench/run).
--
--   BENCH_METHOD  GET (default) or POST
--   BENCH_PATH    request path, e.g. /api/message_groups
--   BENCH_TOKEN   bearer token (optional)
--   BENCH_GROUP   for POST: the message_group_uuid every message goes to
--
-- A POST body is {"message": "...", "message_group_uuid": BENCH_GROUP} with a
-- counter in the text so that every message differs. done() prints the same
-- RESULT line as ddb.lua.

local method = os.getenv("BENCH_METHOD") or "GET"
local path = os.getenv("BENCH_PATH") or "/"
local token = os.getenv("BENCH_TOKEN")
local group = os.getenv("BENCH_GROUP") or ""

wrk.method = method
wrk.path = path
if token and token ~= "" then
    wrk.headers["Authorization"] = "Bearer " .. token
end
if method == "POST" then
    wrk.headers["Content-Type"] = "application/json"
end

local thread_no = 0

function setup(thread)
    thread_no = thread_no + 1
    thread:set("tid", thread_no)
end

local counter = 0

function request()
    if method ~= "POST" then
        return wrk.format()
    end
    counter = counter + 1
    local body = string.format('{"message":"benchmark message %d-%d","message_group_uuid":"%s"}',
        tid or 0, counter, group)
    return wrk.format(nil, nil, nil, body)
end

function done(summary, latency, requests)
    local e = summary.errors
    local errors = e.connect + e.read + e.write + e.status + e.timeout
    local secs = summary.duration / 1e6
    io.write(string.format("RESULT requests=%d secs=%.3f rps=%.1f p50_us=%d p99_us=%d errors=%d\n",
        summary.requests, secs, summary.requests / secs, latency:percentile(50),
        latency:percentile(99), errors))
end
