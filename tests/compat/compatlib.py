"""Helpers shared by the compat tests: raw HTTP calls, error checks and the
normalisation of responses that the differential run compares."""
import http.client
import json
import re
import urllib.parse

import pytest
from botocore.exceptions import ClientError

ERROR_PREFIX = "com.amazonaws.dynamodb.v20120810#"


def raw_call(endpoint, target, data, headers=None, timeout=30, method="POST"):
    """POSTs one JSON 1.0 request; returns (status, {lowercase header: value}, body bytes)."""
    u = urllib.parse.urlparse(endpoint)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    try:
        h = {"Content-Type": "application/x-amz-json-1.0",
             "Authorization": "AWS4-HMAC-SHA256 Credential=x/20240101/us-east-1/dynamodb/aws4_request, "
                              "SignedHeaders=host;x-amz-date, Signature=00",
             "X-Amz-Date": "20240101T000000Z"}
        if target is not None:
            h["X-Amz-Target"] = target
        for k, v in (headers or {}).items():
            if v is None:
                h.pop(k, None)
            else:
                h[k] = v
        conn.request(method, "/", body=data, headers=h)
        r = conn.getresponse()
        body = r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, body
    finally:
        conn.close()


def warm_up(endpoint):
    """A few calls so that the JVM's first slow requests do not hit a test."""
    name = "compat-warmup"
    key = [{"AttributeName": "pk", "KeyType": "HASH"}]
    attrs = [{"AttributeName": "pk", "AttributeType": "S"}]
    body = {"TableName": name, "KeySchema": key, "AttributeDefinitions": attrs,
            "BillingMode": "PAY_PER_REQUEST"}
    raw_call(endpoint, "DynamoDB_20120810.CreateTable", json.dumps(body).encode(), timeout=60)
    for i in range(20):
        item = {"TableName": name, "Item": {"pk": {"S": "k%d" % i}, "n": {"N": str(i)}}}
        raw_call(endpoint, "DynamoDB_20120810.PutItem", json.dumps(item).encode(), timeout=60)
    q = {"TableName": name, "KeyConditionExpression": "pk = :p",
         "ExpressionAttributeValues": {":p": {"S": "k1"}}}
    raw_call(endpoint, "DynamoDB_20120810.Query", json.dumps(q).encode(), timeout=60)
    raw_call(endpoint, "DynamoDB_20120810.Scan", json.dumps({"TableName": name}).encode(), timeout=60)
    raw_call(endpoint, "DynamoDB_20120810.DeleteTable", json.dumps({"TableName": name}).encode(), timeout=60)


def error_of(fn, *args, **kwargs):
    """Runs fn and returns the ClientError's (code, message, response); fails if it succeeds."""
    try:
        out = fn(*args, **kwargs)
    except ClientError as e:
        err = e.response.get("Error", {})
        return err.get("Code"), err.get("Message"), e.response
    pytest.fail("expected an error, got %r" % (out,))


def expect_error(code, message, fn, *args, **kwargs):
    """Asserts fn fails with error `code` and, when given, exactly `message`
    (a compiled regex is matched instead). Returns the botocore response."""
    got_code, got_msg, resp = error_of(fn, *args, **kwargs)
    assert got_code == code, "error %s (%s), expected %s" % (got_code, got_msg, code)
    if message is not None:
        if isinstance(message, re.Pattern):
            assert message.search(got_msg or ""), "message %r does not match %r" % (got_msg, message.pattern)
        else:
            assert got_msg == message
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 400
    return resp


def strip_meta(resp):
    """A boto3 response without ResponseMetadata (request ids, headers)."""
    return {k: v for k, v in resp.items() if k != "ResponseMetadata"}


def expect_error_ddb(server, code, ddb_message, fn, *args, **kwargs):
    """Like expect_error, for errors whose message text differs between
    DynamoDB and DynamoDB Local: the error type is asserted on both servers,
    the message (DynamoDB's documented/observed text) on cruddur only."""
    return expect_error(code, ddb_message if server.name == "cruddur" else None, fn, *args, **kwargs)
