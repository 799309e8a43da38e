"""`cruddur dynamodb --credentials`: every request must carry a valid AWS
Signature Version 4 for one of the configured pairs.

Rejected: a wrong secret, an unknown access key, no signature at all, a
body or a signed header changed after signing, a request older than 15
minutes; and what a rejected request asked for did not happen. Accepted:
boto3 (tables, items with non-ASCII text, Query, BatchWriteItem,
transactions, Streams, a 300 KB item, session tokens, either pair), the aws
cli and cruddur's own remote driver (`cruddur ddb`). Finally the signature
cruddur's driver computes equals botocore's for the very request it sent.

run_signing.sh starts the server and sets SIGNING_ENDPOINT and the two
pairs (SIGNING_KEY/SIGNING_SECRET, SIGNING_KEY2/SIGNING_SECRET2).
"""
import datetime
import http.server
import json
import os
import subprocess
import threading
import unittest.mock
import urllib.error
import urllib.request
import uuid
import zlib

import boto3
import botocore.auth
import pytest
from botocore import UNSIGNED
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

BIN = os.environ.get("CRUDDUR_BIN", "cruddur")
ENDPOINT = os.environ["SIGNING_ENDPOINT"]
KEY, SECRET = os.environ["SIGNING_KEY"], os.environ["SIGNING_SECRET"]
KEY2, SECRET2 = os.environ["SIGNING_KEY2"], os.environ["SIGNING_SECRET2"]
REGION = "us-east-1"
UNICODE = "héllo wörld ✓ 日本語 🎉"
BAD_SIGNATURE = ("The request signature we calculated does not match the signature you "
                 "provided. Check your AWS Secret Access Key and signing method. Consult the "
                 "service documentation for details.")
# One attempt: a retry must not hide or repeat anything.
ONE_TRY = Config(retries={"total_max_attempts": 1, "mode": "standard"})


def client(key=KEY, secret=SECRET, service="dynamodb", **kw):
    return boto3.client(service, endpoint_url=ENDPOINT, region_name=REGION,
                        aws_access_key_id=key, aws_secret_access_key=secret, config=ONE_TRY, **kw)


def error_of(call, *args, **kwargs):
    """(code, message, HTTP status) of a call that must fail."""
    with pytest.raises(ClientError) as e:
        call(*args, **kwargs)
    r = e.value.response
    return r["Error"]["Code"], r["Error"]["Message"], r["ResponseMetadata"]["HTTPStatusCode"]


@pytest.fixture(scope="module")
def ddb():
    return client()


@pytest.fixture(scope="module")
def table(ddb):
    """A HASH+RANGE table with a stream, deleted at the end."""
    name = "signing-" + uuid.uuid4().hex[:8]
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                           {"AttributeName": "sk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                {"AttributeName": "sk", "KeyType": "RANGE"}],
                     StreamSpecification={"StreamEnabled": True,
                                          "StreamViewType": "NEW_AND_OLD_IMAGES"})
    yield name
    ddb.delete_table(TableName=name)


def signed_headers(body, target, key=KEY, secret=SECRET, sign_body=None, sign_target=None,
                   service="dynamodb"):
    """Headers botocore signs for a request (optionally over another body or target)."""
    req = AWSRequest(method="POST", url=ENDPOINT + "/",
                     data=sign_body if sign_body is not None else body,
                     headers={"Content-Type": "application/x-amz-json-1.0",
                              "X-Amz-Target": "DynamoDB_20120810." + (sign_target or target)})
    botocore.auth.SigV4Auth(Credentials(key, secret), service, REGION).add_auth(req)
    headers = dict(req.headers.items())
    headers["X-Amz-Target"] = "DynamoDB_20120810." + target
    return headers


def raw(body, headers):
    """POST / with exactly these headers: (status, JSON body)."""
    req = urllib.request.Request(ENDPOINT + "/", data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def error_name(answer):
    return answer["__type"].rsplit("#", 1)[-1]


def cruddur(args, key=KEY, secret=SECRET, endpoint=ENDPOINT, **env):
    e = dict(os.environ, AWS_ENDPOINT_URL=endpoint, AWS_ACCESS_KEY_ID=key,
             AWS_SECRET_ACCESS_KEY=secret, **env)
    return subprocess.run([BIN] + args, env=e, capture_output=True, text=True, timeout=60)


def aws_cli(args, key=KEY, secret=SECRET):
    env = dict(os.environ, AWS_ACCESS_KEY_ID=key, AWS_SECRET_ACCESS_KEY=secret)
    return subprocess.run(["/usr/bin/aws", "--endpoint-url", ENDPOINT, "--output", "json",
                           "dynamodb"] + args, env=env, capture_output=True, text=True, timeout=60)


# ---- rejected ----

def test_wrong_secret_is_invalid_signature(ddb, table):
    bad = client(secret="not-the-secret")
    code, message, status = error_of(bad.put_item, TableName=table,
                                     Item={"pk": {"S": "forged"}, "sk": {"S": "1"}})
    assert (code, message, status) == ("InvalidSignatureException", BAD_SIGNATURE, 400)
    # The other pair's secret does not sign for this key either.
    assert error_of(client(secret=SECRET2).list_tables)[0] == "InvalidSignatureException"
    assert "Item" not in ddb.get_item(TableName=table, Key={"pk": {"S": "forged"},
                                                            "sk": {"S": "1"}})


def test_unknown_key_is_unrecognized_client():
    code, message, status = error_of(client(key="AKIDNOBODY").list_tables)
    assert (code, message, status) == ("UnrecognizedClientException",
                                       "The security token included in the request is invalid.",
                                       400)


def test_unsigned_requests_are_refused(ddb, table):
    unsigned = boto3.client("dynamodb", endpoint_url=ENDPOINT, region_name=REGION,
                            config=Config(signature_version=UNSIGNED,
                                          retries={"total_max_attempts": 1, "mode": "standard"}))
    code, message, status = error_of(unsigned.delete_table, TableName=table)
    assert (code, message, status) == ("MissingAuthenticationTokenException",
                                       "Request is missing Authentication Token", 400)
    status, answer = raw(b"{}", {"Content-Type": "application/x-amz-json-1.0",
                                 "X-Amz-Target": "DynamoDB_20120810.ListTables"})
    assert status == 400 and error_name(answer) == "MissingAuthenticationTokenException"
    assert ddb.describe_table(TableName=table)["Table"]["TableStatus"] == "ACTIVE"


def test_changes_after_signing_are_refused(ddb, table):
    # The baseline: this hand-made request is accepted as it was signed.
    status, answer = raw(b"{}", signed_headers(b"{}", "ListTables"))
    assert status == 200 and table in answer["TableNames"]
    # Another body than the one signed.
    body = json.dumps({"TableName": table}).encode()
    status, answer = raw(body, signed_headers(body, "DescribeTable", sign_body=b'{"TableName":"x"}'))
    assert (status, error_name(answer)) == (400, "InvalidSignatureException")
    # Another operation than the one signed (X-Amz-Target is a signed header).
    status, answer = raw(body, signed_headers(body, "DeleteTable", sign_target="DescribeTable"))
    assert (status, error_name(answer)) == (400, "InvalidSignatureException")
    assert ddb.describe_table(TableName=table)["Table"]["TableStatus"] == "ACTIVE"
    # A signature that does not parse.
    headers = signed_headers(b"{}", "ListTables")
    headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=" + KEY
    status, answer = raw(b"{}", headers)
    assert (status, error_name(answer)) == (400, "IncompleteSignatureException")


def test_old_signatures_expire():
    an_hour_ago = datetime.datetime.utcnow() - datetime.timedelta(hours=1)

    class Then(datetime.datetime):
        @classmethod
        def utcnow(cls):
            return an_hour_ago

    with unittest.mock.patch.object(botocore.auth.datetime, "datetime", Then):
        headers = signed_headers(b"{}", "ListTables")
    assert headers["X-Amz-Date"].startswith(an_hour_ago.strftime("%Y%m%dT%H"))
    status, answer = raw(b"{}", headers)
    assert (status, error_name(answer)) == (400, "InvalidSignatureException")
    assert "Signature expired" in answer["message"]


def test_signature_for_another_service_is_refused():
    # A valid signature, but scoped to another service: DynamoDB refuses it.
    status, answer = raw(b"{}", signed_headers(b"{}", "ListTables", service="s3"))
    assert (status, error_name(answer)) == (400, "InvalidSignatureException")
    assert "Credential should be scoped to correct service: 'dynamodb'" in answer["message"]


# ---- accepted ----

def test_boto3_items_query_and_batches(ddb, table):
    pk = "user#" + UNICODE
    ddb.put_item(TableName=table, Item={"pk": {"S": pk}, "sk": {"S": "ü-0"},
                                        "text": {"S": UNICODE}, "n": {"N": "1"}})
    r = ddb.batch_write_item(RequestItems={table: [
        {"PutRequest": {"Item": {"pk": {"S": pk}, "sk": {"S": "ü-%02d" % i},
                                 "text": {"S": "%s %d" % (UNICODE, i)}, "n": {"N": str(i)}}}}
        for i in range(1, 25)] + [
        {"PutRequest": {"Item": {"pk": {"S": "other"}, "sk": {"S": "x"}}}}]})
    assert r["UnprocessedItems"] == {}

    r = ddb.query(TableName=table, KeyConditionExpression="pk = :p AND begins_with(sk, :s)",
                  FilterExpression="contains(#t, :w)", ExpressionAttributeNames={"#t": "text"},
                  ExpressionAttributeValues={":p": {"S": pk}, ":s": {"S": "ü-1"},
                                             ":w": {"S": "日本語"}},
                  ScanIndexForward=False)
    assert [i["sk"]["S"] for i in r["Items"]] == ["ü-%02d" % i for i in range(19, 9, -1)]
    assert r["Items"][0]["text"]["S"] == UNICODE + " 19"

    r = ddb.update_item(TableName=table, Key={"pk": {"S": pk}, "sk": {"S": "ü-0"}},
                        UpdateExpression="SET #t = :v ADD n :one",
                        ExpressionAttributeNames={"#t": "text"},
                        ExpressionAttributeValues={":v": {"S": "ça va ✓"}, ":one": {"N": "1"}},
                        ReturnValues="ALL_NEW")
    assert r["Attributes"]["text"]["S"] == "ça va ✓" and r["Attributes"]["n"]["N"] == "2"
    r = ddb.batch_get_item(RequestItems={table: {"Keys": [
        {"pk": {"S": pk}, "sk": {"S": "ü-0"}}, {"pk": {"S": "other"}, "sk": {"S": "x"}}]}})
    assert len(r["Responses"][table]) == 2 and r["UnprocessedKeys"] == {}
    ddb.transact_write_items(TransactItems=[
        {"Delete": {"TableName": table, "Key": {"pk": {"S": "other"}, "sk": {"S": "x"}}}},
        {"ConditionCheck": {"TableName": table, "Key": {"pk": {"S": pk}, "sk": {"S": "ü-0"}},
                            "ConditionExpression": "attribute_exists(pk)"}}])
    assert ddb.scan(TableName=table, Select="COUNT")["Count"] == 25


def test_boto3_large_item_and_resource(table):
    big = "é" * 150000  # 300 KB of UTF-8 in one signed body
    res = boto3.resource("dynamodb", endpoint_url=ENDPOINT, region_name=REGION,
                         aws_access_key_id=KEY, aws_secret_access_key=SECRET, config=ONE_TRY)
    t = res.Table(table)
    t.put_item(Item={"pk": "big", "sk": "1", "blob": big})
    assert t.get_item(Key={"pk": "big", "sk": "1"})["Item"]["blob"] == big
    t.delete_item(Key={"pk": "big", "sk": "1"})


def test_boto3_streams_are_signed_too(ddb, table):
    ddb.put_item(TableName=table, Item={"pk": {"S": "stream " + UNICODE}, "sk": {"S": "1"},
                                        "text": {"S": UNICODE}})
    streams = client(service="dynamodbstreams")
    arn = ddb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    assert [s["StreamArn"] for s in streams.list_streams(TableName=table)["Streams"]] == [arn]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    records = [r for r in streams.get_records(ShardIterator=it, Limit=1000)["Records"]
               if r["dynamodb"]["Keys"]["pk"]["S"] == "stream " + UNICODE]
    assert [r["eventName"] for r in records] == ["INSERT"]
    assert records[0]["dynamodb"]["NewImage"]["text"]["S"] == UNICODE
    bad = client(service="dynamodbstreams", secret="wrong")
    assert error_of(bad.list_streams)[0] == "InvalidSignatureException"


def test_second_pair_and_session_tokens(table):
    assert table in client(KEY2, SECRET2).list_tables()["TableNames"]
    # A session token is one more signed header; the signature still verifies.
    assert table in client(aws_session_token="a-session-token").list_tables()["TableNames"]


def test_aws_cli(table):
    item = json.dumps({"pk": {"S": "cli " + UNICODE}, "sk": {"S": "1"}, "v": {"S": UNICODE}})
    out = aws_cli(["put-item", "--table-name", table, "--item", item])
    assert out.returncode == 0, out.stderr
    out = aws_cli(["query", "--table-name", table, "--key-condition-expression", "pk = :p",
                   "--expression-attribute-values", json.dumps({":p": {"S": "cli " + UNICODE}})])
    assert out.returncode == 0, out.stderr
    assert [i["v"]["S"] for i in json.loads(out.stdout)["Items"]] == [UNICODE]
    out = aws_cli(["list-tables"], secret="wrong")
    assert out.returncode != 0 and "InvalidSignatureException" in out.stderr


def test_cruddur_remote_driver(table):
    out = cruddur(["ddb", "list-tables"])
    assert out.returncode == 0, out.stderr
    assert table in out.stdout.split()
    out = cruddur(["ddb", "schema-load"], DDB_MESSAGE_TABLE="signing-messages")
    assert out.returncode == 0, out.stderr
    out = cruddur(["ddb", "describe-table", "signing-messages"], key=KEY2, secret=SECRET2,
                  AWS_SESSION_TOKEN="a-session-token")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["Table"]["TableName"] == "signing-messages"
    out = cruddur(["ddb", "list-tables"], secret="wrong")
    assert out.returncode != 0
    assert "InvalidSignatureException" in out.stderr and "Secret Access Key" in out.stderr


class _Recorder(http.server.BaseHTTPRequestHandler):
    """Records one request and answers it as ListTables would."""
    seen = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        _Recorder.seen.append((self.path, dict(self.headers.items()), body))
        out = b'{"TableNames":["recorded"]}'
        self.send_response(200)
        self.send_header("Content-Type", "application/x-amz-json-1.0")
        self.send_header("x-amz-crc32", str(zlib.crc32(out)))
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args):
        pass


def botocore_signature(path, headers, body, key, secret, token=None):
    """botocore's signature over the headers the request says were signed."""
    auth = headers["Authorization"]
    fields = dict(part.strip().split("=", 1) for part in auth.split(" ", 1)[1].split(","))
    names = fields["SignedHeaders"].split(";")
    lower = {k.lower(): v for k, v in headers.items()}
    req = AWSRequest(method="POST", url="http://%s%s" % (lower["host"], path), data=body,
                     headers={n: lower[n] for n in names})
    req.context["timestamp"] = lower["x-amz-date"]
    signer = botocore.auth.SigV4Auth(Credentials(key, secret, token), "dynamodb", REGION)
    canonical = signer.canonical_request(req)
    return fields["Signature"], signer.signature(signer.string_to_sign(req, canonical), req), names


@pytest.mark.parametrize("token", [None, "a-session-token"])
def test_cruddur_signs_as_botocore_does(token):
    _Recorder.seen = []
    srv = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try:
        env = {"AWS_SESSION_TOKEN": token} if token else {}
        out = cruddur(["ddb", "list-tables"], key=KEY2, secret=SECRET2,
                      endpoint="http://127.0.0.1:%d" % srv.server_port, **env)
    finally:
        srv.shutdown()
        srv.server_close()
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["recorded"]
    path, headers, body = _Recorder.seen[0]
    theirs, ours, names = botocore_signature(path, headers, body, KEY2, SECRET2, token)
    assert theirs == ours
    assert {"host", "x-amz-date", "x-amz-target"} <= set(names)
    assert ("x-amz-security-token" in names) == bool(token)


def test_help_and_bad_credentials_flag():
    out = subprocess.run([BIN, "dynamodb", "--help"], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0 and "--credentials KEY:SECRET" in out.stdout
    for bad in ("nocolon", ":secret", "key:"):
        out = subprocess.run([BIN, "dynamodb", "--in-memory", "--port", "0", "--credentials", bad],
                             capture_output=True, text=True, timeout=30)
        assert out.returncode == 2 and "KEY:SECRET" in out.stderr
