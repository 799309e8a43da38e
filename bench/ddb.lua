-- wrk request script for the DynamoDB protocol benchmark (bench/run).
--
-- One operation per run, chosen by the environment:
--   BENCH_OP     put | get | query | gsi | pqget (the GetItem read as a
--                PartiQL SELECT with parameters, through ExecuteStatement)
--   BENCH_TABLE  table name (default "bench"), made by `bench/ddbtool.py prep`
-- prep loads GROUPS partitions "MSG#group-<g>" of PER items each (sk
-- "2026-01-01T00:00:00.<j>"); GetItem and both Queries read only those, so
-- every server answers the same work whatever its PutItem rate was. PutItem
-- writes fresh keys into partitions of their own ("PUT#<n>").
--
-- Signatures are not checked by any of the servers, but DynamoDB Local keys
-- its databases by the access key and region of the Authorization header,
-- so every request carries the same fixed one as prep's.
--
-- done() prints one line that bench/run parses:
--   RESULT requests=N secs=S rps=R p50_us=U p99_us=U errors=E

local GROUPS = 64
local PER = 40
local op = os.getenv("BENCH_OP") or "get"
local tbl = os.getenv("BENCH_TABLE") or "bench"

local targets = {put = "PutItem", get = "GetItem", query = "Query", gsi = "Query",
    pqget = "ExecuteStatement"}
assert(targets[op], "BENCH_OP must be put, get, query, gsi or pqget")

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-amz-json-1.0"
wrk.headers["X-Amz-Target"] = "DynamoDB_20120810." .. targets[op]
wrk.headers["X-Amz-Date"] = "20260101T000000Z"
wrk.headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=bench/20260101/us-east-1/dynamodb/aws4_request, "
    .. "SignedHeaders=host;x-amz-date;x-amz-target, Signature=00"

local thread_no = 0
local threads = {}

function setup(thread)
    thread_no = thread_no + 1
    thread:set("tid", thread_no)
    table.insert(threads, thread)
end

local counter = 0
local seeded = false

local function sk_of(j)
    return string.format("2026-01-01T00:00:00.%06d", j)
end

function request()
    if not seeded then
        math.randomseed(os.time() * 100 + (tid or 0))
        seeded = true
    end
    local g = math.random(0, GROUPS - 1)
    local body
    if op == "put" then
        counter = counter + 1
        body = string.format(
            '{"TableName":"%s","Item":{"pk":{"S":"PUT#%d"},"sk":{"S":"t%d-%09d"},'
                .. '"message_group_uuid":{"S":"put-%d"},"message":{"S":"hello there, this is a benchmark message body"},'
                .. '"user_handle":{"S":"andrewbrown"}}}',
            tbl, g, tid or 0, counter, g)
    elseif op == "get" then
        body = string.format('{"TableName":"%s","Key":{"pk":{"S":"MSG#group-%d"},"sk":{"S":"%s"}}}',
            tbl, g, sk_of(math.random(0, PER - 1)))
    elseif op == "pqget" then
        body = string.format('{"Statement":"SELECT * FROM \\"%s\\" WHERE pk = ? AND sk = ?",'
                .. '"Parameters":[{"S":"MSG#group-%d"},{"S":"%s"}]}',
            tbl, g, sk_of(math.random(0, PER - 1)))
    elseif op == "query" then
        body = string.format(
            '{"TableName":"%s","KeyConditionExpression":"pk = :pk",'
                .. '"ExpressionAttributeValues":{":pk":{"S":"MSG#group-%d"}},"ScanIndexForward":false,"Limit":20}',
            tbl, g)
    else
        body = string.format(
            '{"TableName":"%s","IndexName":"message-group-sk-index","KeyConditionExpression":"message_group_uuid = :g",'
                .. '"ExpressionAttributeValues":{":g":{"S":"group-%d"}},"ScanIndexForward":false,"Limit":20}',
            tbl, g)
    end
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
