"""What a signature must cover, where it must be scoped, and where the
accepted keys come from (issue 11, item 6).

- A signature must cover host, x-amz-date and x-amz-target: a signed
  DescribeTable that did not sign X-Amz-Target cannot be replayed as a
  DeleteTable; the credential scope's region must be the server's.
- Failures use AWS's error shapes: `com.amazon.coral.service#<Name>`, 400.
- Keys come from --credentials-file, $CRUDDUR_DYNAMODB_CREDENTIALS or
  --credentials (whose secret is wiped from /proc/PID/cmdline); the
  start-up log says whether signatures are checked.

run_signing.sh starts the shared server (--region us-east-1, two pairs);
the tests that need other settings start their own.
"""
import datetime
import hashlib
import hmac
import json
import os
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import uuid

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

BIN = os.environ.get("CRUDDUR_BIN", "cruddur")
ENDPOINT = os.environ["SIGNING_ENDPOINT"]
KEY, SECRET = os.environ["SIGNING_KEY"], os.environ["SIGNING_SECRET"]
REGION = "us-east-1"
CORAL = "com.amazon.coral.service#"
ONE_TRY = Config(retries={"total_max_attempts": 1, "mode": "standard"})


def client(endpoint=ENDPOINT, key=KEY, secret=SECRET, region=REGION):
    return boto3.client("dynamodb", endpoint_url=endpoint, region_name=region,
                        aws_access_key_id=key, aws_secret_access_key=secret, config=ONE_TRY)


def _hmac(key, msg):
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def hand_signed(body, target, signed=("content-type", "host", "x-amz-date", "x-amz-target"),
                key=KEY, secret=SECRET, region=REGION, endpoint=ENDPOINT):
    """Headers of a request signed over exactly the header names `signed`
    (SigV4 computed here, so that any set can be left out)."""
    now = datetime.datetime.now(datetime.timezone.utc)
    amz_date, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
    headers = {"content-type": "application/x-amz-json-1.0",
               "host": endpoint.split("://", 1)[1],
               "x-amz-date": amz_date,
               "x-amz-target": "DynamoDB_20120810." + target}
    names = sorted(signed)
    canonical = "\n".join(["POST", "/", ""] + ["%s:%s" % (n, headers[n]) for n in names] +
                          ["", ";".join(names), hashlib.sha256(body).hexdigest()])
    scope = "%s/%s/dynamodb/aws4_request" % (day, region)
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                         hashlib.sha256(canonical.encode()).hexdigest()])
    k = _hmac(_hmac(_hmac(_hmac(("AWS4" + secret).encode(), day), region), "dynamodb"),
              "aws4_request")
    signature = hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()
    headers["authorization"] = ("AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, "
                                "Signature=%s" % (key, scope, ";".join(names), signature))
    del headers["host"]  # urllib sends it, with the same value
    return headers


def raw(body, headers, endpoint=ENDPOINT):
    req = urllib.request.Request(endpoint + "/", data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


@pytest.fixture(scope="module")
def table():
    name = "scope-" + uuid.uuid4().hex[:8]
    ddb = client()
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    yield name
    ddb.delete_table(TableName=name)


def exists(name, endpoint=ENDPOINT):
    return name in client(endpoint).list_tables()["TableNames"]


# ---- what must be signed ----

def test_hand_signed_request_is_accepted(table):
    body = json.dumps({"TableName": table}).encode()
    status, answer = raw(body, hand_signed(body, "DescribeTable"))
    assert status == 200 and answer["Table"]["TableName"] == table


def test_unsigned_target_cannot_be_replayed_as_another_operation(table):
    body = json.dumps({"TableName": table}).encode()
    headers = hand_signed(body, "DescribeTable", signed=("content-type", "host", "x-amz-date"))
    # The same signed request, as the client sent it, is refused too.
    status, answer = raw(body, headers)
    assert (status, answer["__type"]) == (400, CORAL + "InvalidSignatureException")
    assert answer["message"] == ("'X-Amz-Target' must be a 'SignedHeader' in the AWS "
                                 "Authorization.")
    headers["x-amz-target"] = "DynamoDB_20120810.DeleteTable"
    status, answer = raw(body, headers)
    assert (status, answer["__type"]) == (400, CORAL + "InvalidSignatureException")
    assert exists(table)


@pytest.mark.parametrize("left_out,name", [("host", "'Host' or ':authority'"),
                                           ("x-amz-date", "'X-Amz-Date'")])
def test_host_and_date_must_be_signed(table, left_out, name):
    body = b"{}"
    signed = [h for h in ("content-type", "host", "x-amz-date", "x-amz-target") if h != left_out]
    status, answer = raw(body, hand_signed(body, "ListTables", signed=signed))
    assert (status, answer["__type"]) == (400, CORAL + "InvalidSignatureException")
    assert answer["message"] == "%s must be a 'SignedHeader' in the AWS Authorization." % name


def test_scope_must_name_the_servers_region(table):
    status, answer = raw(b"{}", hand_signed(b"{}", "ListTables", region="eu-west-1"))
    assert (status, answer["__type"]) == (400, CORAL + "InvalidSignatureException")
    assert answer["message"] == "Credential should be scoped to a valid region, not 'eu-west-1'. "
    with pytest.raises(ClientError) as e:
        client(region="eu-west-1").delete_table(TableName=table)
    assert e.value.response["Error"]["Code"] == "InvalidSignatureException"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert exists(table)


@pytest.mark.parametrize("headers,name", [
    ({}, "MissingAuthenticationTokenException"),
    ({"Authorization": "AWS4-HMAC-SHA256 Credential=x"}, "IncompleteSignatureException"),
])
def test_auth_errors_have_aws_shape(headers, name):
    h = {"Content-Type": "application/x-amz-json-1.0",
         "X-Amz-Target": "DynamoDB_20120810.ListTables"}
    h.update(headers)
    status, answer = raw(b"{}", h)
    assert (status, answer["__type"]) == (400, CORAL + name)
    status, answer = raw(b"{}", hand_signed(b"{}", "ListTables", key="AKIDNOBODY"))
    assert (status, answer["__type"]) == (400, CORAL + "UnrecognizedClientException")


# ---- where keys come from, and what the log says ----

class Server:
    """A `cruddur dynamodb --in-memory --port 0 ARGS` of a test's own."""

    def __init__(self, args, env=None):
        self.log = tempfile.NamedTemporaryFile(prefix="cruddur-scope-", suffix=".log")
        e = dict(os.environ, CRUDDUR_LOG="info")
        for k in ("AWS_REGION", "AWS_DEFAULT_REGION", "CRUDDUR_DYNAMODB_CREDENTIALS"):
            e.pop(k, None)
        e.update(env or {})
        self.proc = subprocess.Popen([BIN, "dynamodb", "--in-memory", "--port", "0"] + args,
                                     env=e, stdout=subprocess.PIPE, stderr=self.log, text=True)
        line = self.proc.stdout.readline()  # waits for the listening line (or EOF)
        assert "listening on http://" in line, self.text()
        self.endpoint = line.split("listening on ", 1)[1].strip()
        self.stopped_log = None
        # The last start-up line (whether signatures are checked) comes just
        # before the server waits for SIGTERM: wait for it before any test
        # can stop the server.
        deadline = time.monotonic() + 30
        while "signatures" not in self.text():
            assert self.proc.poll() is None and time.monotonic() < deadline, self.text()
            time.sleep(0.01)

    def text(self):
        if self.stopped_log is not None:
            return self.stopped_log
        with open(self.log.name) as f:
            return f.read()

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        status = self.proc.wait(timeout=30)
        self.stopped_log = self.text()
        self.proc.stdout.close()
        self.log.close()
        assert status == 0, self.stopped_log


def keys_file(text, mode=0o600):
    f = tempfile.NamedTemporaryFile("w", prefix="cruddur-keys-", delete=False)
    f.write(text)
    f.close()
    os.chmod(f.name, mode)
    return f.name


def test_credentials_file_and_default_region():
    path = keys_file("# accepted keys\n\nAKIDFILE:file/secret+1\n  AKIDFILE2:second  \r\n")
    try:
        # No --region: the region comes from AWS_REGION, like every AWS client here.
        srv = Server(["--credentials-file", path], {"AWS_REGION": "ap-south-1"})
        try:
            c = client(srv.endpoint, "AKIDFILE", "file/secret+1", "ap-south-1")
            assert c.list_tables()["TableNames"] == []
            assert client(srv.endpoint, "AKIDFILE2", "second", "ap-south-1").list_tables()
            with pytest.raises(ClientError) as e:
                client(srv.endpoint, "AKIDFILE", "wrong", "ap-south-1").list_tables()
            assert e.value.response["Error"]["Code"] == "InvalidSignatureException"
            with pytest.raises(ClientError) as e:
                client(srv.endpoint, "AKIDFILE", "file/secret+1", "us-east-1").list_tables()
            assert "scoped to a valid region, not 'us-east-1'" in e.value.response["Error"]["Message"]
        finally:
            srv.stop()
        log = srv.text()
        assert "signatures checked: AWS SigV4 with 2 access key(s), region ap-south-1" in log
        assert "NOT checked" not in log and "may be read by other users" not in log
    finally:
        os.unlink(path)


def test_credentials_from_the_environment():
    srv = Server([], {"CRUDDUR_DYNAMODB_CREDENTIALS": "AKIDENV:env-secret, AKIDENV2:two",
                      "AWS_DEFAULT_REGION": "eu-central-1"})
    try:
        assert client(srv.endpoint, "AKIDENV2", "two", "eu-central-1").list_tables()
        with pytest.raises(ClientError) as e:
            client(srv.endpoint, "AKIDENV", "nope", "eu-central-1").list_tables()
        assert e.value.response["Error"]["Code"] == "InvalidSignatureException"
    finally:
        srv.stop()


def test_argv_secret_is_wiped_from_the_process_arguments():
    srv = Server(["--credentials", "AKIDARGV:argv-secret-value", "--region", "us-west-2"])
    try:
        with open("/proc/%d/cmdline" % srv.proc.pid, "rb") as f:
            cmdline = f.read()
        assert b"argv-secret-value" not in cmdline and b"AKIDARGV:" in cmdline
        assert client(srv.endpoint, "AKIDARGV", "argv-secret-value", "us-west-2").list_tables()
    finally:
        srv.stop()


def test_log_says_plainly_when_signatures_are_not_checked():
    srv = Server([])
    try:
        # Anything is accepted, signed or not.
        assert client(srv.endpoint, "anyone", "anything").list_tables()["TableNames"] == []
    finally:
        srv.stop()
    assert "signatures are NOT checked" in srv.text()


def test_a_readable_keys_file_is_warned_about():
    path = keys_file("AKIDOPEN:open-secret\n", 0o644)
    try:
        srv = Server(["--credentials-file", path])
        srv.stop()
        assert "may be read by other users (mode 644)" in srv.text()
    finally:
        os.unlink(path)


@pytest.mark.parametrize("content,why", [
    (None, "cannot open"),
    ("", "holds no ACCESS_KEY:SECRET line"),
    ("# only a comment\n", "holds no ACCESS_KEY:SECRET line"),
    ("AKIDOK:fine\nno-colon-here\n", "line 2: want ACCESS_KEY:SECRET"),
    ("AKIDOK:has space\n", "line 1: want ACCESS_KEY:SECRET"),
    ("AKIDOK:\n", "line 1: want ACCESS_KEY:SECRET"),
])
def test_bad_credentials_files_are_refused(content, why):
    path = keys_file(content) if content is not None else "/nonexistent/cruddur-keys"
    try:
        out = subprocess.run([BIN, "dynamodb", "--in-memory", "--port", "0",
                              "--credentials-file", path],
                             capture_output=True, text=True, timeout=30)
        assert out.returncode == 2 and why in out.stderr, out.stderr
        assert "fine" not in out.stderr and "has space" not in out.stderr
    finally:
        if content is not None:
            os.unlink(path)


@pytest.mark.parametrize("args,env,why", [
    (["--region", "US East"], {}, "invalid region 'US East'"),
    (["--region", ""], {}, "invalid region ''"),
    ([], {"CRUDDUR_DYNAMODB_CREDENTIALS": "AKID-no-secret"}, "$CRUDDUR_DYNAMODB_CREDENTIALS: want"),
])
def test_bad_region_and_environment_are_refused(args, env, why):
    e = dict(os.environ, **env)
    out = subprocess.run([BIN, "dynamodb", "--in-memory", "--port", "0"] + args,
                         capture_output=True, text=True, timeout=30, env=e)
    assert out.returncode == 2 and why in out.stderr, out.stderr


def test_help_documents_the_key_sources():
    out = subprocess.run([BIN, "dynamodb", "--help"], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0
    for word in ("--credentials-file FILE", "$CRUDDUR_DYNAMODB_CREDENTIALS", "--region NAME",
                 "x-amz-target"):
        assert word in out.stdout
