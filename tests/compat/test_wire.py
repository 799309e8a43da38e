"""The wire protocol itself, below boto3: status codes, error bodies and
their __type, x-amzn-RequestId, x-amz-crc32 (checked against the body),
unknown operations, malformed JSON, and no CORS headers unless asked for."""
import json
import zlib

import pytest
from compatlib import ERROR_PREFIX, raw_call
from conftest import documented_only


def test_success_headers_and_crc(server):
    st, hdrs, body = raw_call(server.endpoint, "DynamoDB_20120810.ListTables", b"{}")
    assert st == 200
    assert hdrs["content-type"].startswith("application/x-amz-json-1.0")
    assert hdrs.get("x-amzn-requestid")
    assert int(hdrs["x-amz-crc32"]) == zlib.crc32(body)
    assert "TableNames" in json.loads(body)


@pytest.mark.parametrize("target,body,status,etype", [
    ("DynamoDB_20120810.DescribeTable", b'{"TableName": "compat-nope"}', 400, "ResourceNotFoundException"),
    ("DynamoDB_20120810.NoSuchOperation", b"{}", 400, "UnknownOperationException"),
    ("DynamoDB_20120810.DescribeTable", b'{"TableName": ', 400, "SerializationException"),
    ("DynamoDB_20120810.DescribeTable", b'[1, 2]', 400, "SerializationException"),
    ("DynamoDB_20120810.DescribeTable", b"{}", 400, "ValidationException"),
    ("DynamoDB_20120810.PutItem", b'{"TableName": "compat-nope", "Item": {"pk": {"X": "1"}}}', 400, None),
])
def test_error_bodies(server, target, body, status, etype):
    if etype == "SerializationException":
        documented_only(server, "DynamoDB Local answers malformed bodies with a 500 InternalFailure")
    st, hdrs, out = raw_call(server.endpoint, target, body)
    assert st == status, out
    assert hdrs.get("x-amzn-requestid")
    if server.name == "cruddur":
        # DynamoDB signs every body with x-amz-crc32; DynamoDB Local only its 200s.
        assert int(hdrs["x-amz-crc32"]) == zlib.crc32(out)
    err = json.loads(out)
    if etype in ("ResourceNotFoundException", "ConditionalCheckFailedException"):
        assert err["__type"] == ERROR_PREFIX + etype
    elif etype:
        # Protocol-level errors come from the service framework's namespaces
        # (com.amazon.coral.service#..., com.amazon.coral.validate#...):
        # clients read the part after '#'.
        assert err["__type"].rsplit("#", 1)[1] == etype
    else:
        assert "#" in err["__type"]
    assert "message" in err or "Message" in err


def test_validation_message_field(server):
    st, _, out = raw_call(server.endpoint, "DynamoDB_20120810.DescribeTable", b"{}")
    err = json.loads(out)
    assert st == 400 and err["__type"].endswith("#ValidationException")
    if server.name == "cruddur":
        # DynamoDB: "1 validation error detected: Value null at 'tableName' failed to
        # satisfy constraint: Member must not be null"; DynamoDB Local complains about
        # the table name's characters instead.
        assert "tableName" in (err.get("message") or err.get("Message"))


def test_conditional_check_failed_body(server, ddb, make_table):
    t = make_table("wire", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                   AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    req = {"TableName": t, "Item": {"pk": {"S": "a"}}, "ConditionExpression": "attribute_exists(pk)"}
    st, hdrs, out = raw_call(server.endpoint, "DynamoDB_20120810.PutItem", json.dumps(req).encode())
    assert st == 400
    if server.name == "cruddur":
        assert int(hdrs["x-amz-crc32"]) == zlib.crc32(out)
    err = json.loads(out)
    assert err["__type"] == ERROR_PREFIX + "ConditionalCheckFailedException"
    assert (err.get("message") or err.get("Message")) == "The conditional request failed"


def test_streams_target(server, ddb, make_table):
    st, hdrs, out = raw_call(server.endpoint, "DynamoDBStreams_20120810.ListStreams", b"{}")
    assert st == 200 and "Streams" in json.loads(out)
    assert int(hdrs["x-amz-crc32"]) == zlib.crc32(out)
    st, hdrs, out = raw_call(server.endpoint, "DynamoDBStreams_20120810.DescribeStream",
                             b'{"StreamArn": "arn:aws:dynamodb:us-east-1:000000000000:table/compat-nope/stream/x"}')
    assert st == 400
    assert json.loads(out)["__type"].endswith("#ResourceNotFoundException")


def test_request_ids_differ(server):
    ids = {raw_call(server.endpoint, "DynamoDB_20120810.ListTables", b"{}")[1]["x-amzn-requestid"]
           for _ in range(3)}
    assert len(ids) == 3


def test_no_cors_headers_by_default(server):
    # Neither server lets another origin's page read its answers unless
    # started with -cors / --cors (tests/dynamodb/run_cors.sh and
    # tests/e2e/ddb_cors.test.mjs cover --cors).
    st, hdrs, _ = raw_call(server.endpoint, None, b"", method="OPTIONS",
                           headers={"Origin": "http://localhost:3000",
                                    "Access-Control-Request-Method": "POST",
                                    "Access-Control-Request-Headers": "content-type,x-amz-target,authorization",
                                    "Content-Type": None, "Authorization": None, "X-Amz-Date": None})
    assert st in (200, 204)
    assert "access-control-allow-origin" not in hdrs
    if server.name == "cruddur":
        # DynamoDB Local 3.3.1 still lists methods and headers; cruddur sends
        # no Access-Control-* header at all.
        assert not [h for h in hdrs if h.startswith("access-control-")]
    st, hdrs, _ = raw_call(server.endpoint, "DynamoDB_20120810.ListTables", b"{}",
                           headers={"Origin": "http://localhost:3000"})
    assert st == 200 and not [h for h in hdrs if h.startswith("access-control-")]
