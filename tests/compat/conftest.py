"""Fixtures of the compat suite: the two servers and clients bound to them.

Both servers are started once per session on free loopback ports and
stopped at the end: `cruddur dynamodb --in-memory` ($CRUDDUR_BIN) and
Amazon's DynamoDB Local 3.3.1 (java, from $COMPAT_DDBLOCAL_DIR, set up by
run_compat.sh). Tests that take the `server` fixture run once per server
with the same assertions; `documented_only(server, why)` marks the few
checks where DynamoDB Local is known to differ from DynamoDB's documented
behaviour (they then run on cruddur only). Every test uses its own table
names, so one server instance serves the whole session.
"""
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid

import boto3
import pytest
from botocore.config import Config

sys.path.insert(0, os.path.dirname(__file__))
pytest.register_assert_rewrite("compatlib")
import compatlib  # noqa: E402

DDBLOCAL_RELEASE = os.environ.get("COMPAT_DDBLOCAL_RELEASE", "3.3.1")
SERVERS = [s for s in os.environ.get("COMPAT_SERVERS", "cruddur,ddblocal").split(",") if s]


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One running DynamoDB-protocol server: its name, endpoint and process."""

    def __init__(self, name, argv, cwd, logdir):
        self.name = name
        self.port = _free_port()
        self.endpoint = "http://127.0.0.1:%d" % self.port
        self.log = os.path.join(logdir, name + ".log")
        argv = [a.replace("{port}", str(self.port)) for a in argv]
        self._logf = open(self.log, "wb")
        self.proc = subprocess.Popen(argv, cwd=cwd, stdout=self._logf, stderr=subprocess.STDOUT)
        self._wait_ready()

    def _wait_ready(self):
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("%s exited with %s; log: %s" % (self.name, self.proc.returncode, self.tail()))
            try:
                st, _, _ = compatlib.raw_call(self.endpoint, "DynamoDB_20120810.ListTables", b"{}", timeout=2)
                if st == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError("%s did not answer on %s; log: %s" % (self.name, self.endpoint, self.tail()))

    def tail(self, n=3000):
        try:
            with open(self.log, "rb") as f:
                return f.read()[-n:].decode("utf-8", "replace")
        except OSError:
            return ""

    def stop(self):
        """Stops the server with SIGTERM; returns its exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._logf.close()
        return self.proc.returncode


_started = {}


def _start(name, logdir):
    if name == "cruddur":
        binary = os.environ.get("CRUDDUR_BIN")
        if not binary:
            pytest.skip("CRUDDUR_BIN is not set")
        return Server("cruddur", [binary, "dynamodb", "--port", "{port}", "--host", "127.0.0.1",
                                  "--in-memory", "--region", "us-east-1"], None, logdir)
    d = os.environ.get("COMPAT_DDBLOCAL_DIR")
    if not d or not os.path.exists(os.path.join(d, "DynamoDBLocal.jar")):
        pytest.skip("COMPAT_DDBLOCAL_DIR does not hold DynamoDBLocal.jar (run run_compat.sh)")
    argv = ["java", "-Xms256m", "-Djava.library.path=./DynamoDBLocal_lib", "-jar", "DynamoDBLocal.jar",
            "-inMemory", "-port", "{port}"]
    if DDBLOCAL_RELEASE != "1.11.478":
        argv.append("-disableTelemetry")  # it must not try to reach the network
    srv = Server("ddblocal", argv, d, logdir)
    compatlib.warm_up(srv.endpoint)
    return srv


@pytest.fixture(scope="session")
def servers():
    """Starts the servers on demand; stops them (and checks a clean exit) at the end."""
    logdir = tempfile.mkdtemp(prefix="cruddur-compat-")

    def get(name):
        if name not in _started:
            _started[name] = _start(name, logdir)
        return _started[name]

    yield get
    problems = []
    for name, srv in _started.items():
        status = srv.stop()
        # DynamoDB Local exits 143 on SIGTERM; cruddur must stop cleanly (0).
        if name == "cruddur" and status != 0:
            problems.append("cruddur dynamodb exited with %s on SIGTERM:\n%s" % (status, srv.tail()))
    _started.clear()
    if problems:
        pytest.fail("\n".join(problems))


@pytest.fixture(params=SERVERS)
def server(request, servers):
    return servers(request.param)


def client_config():
    # One attempt: retries would hide 5xx answers and double-apply writes.
    return Config(retries={"total_max_attempts": 1, "mode": "standard"}, read_timeout=30,
                  connect_timeout=5)


def make_client(server, service="dynamodb"):
    return boto3.client(service, endpoint_url=server.endpoint, region_name="us-east-1",
                        aws_access_key_id="x", aws_secret_access_key="x", config=client_config())


@pytest.fixture
def ddb(server):
    return make_client(server)


@pytest.fixture
def streams(server):
    return make_client(server, "dynamodbstreams")


@pytest.fixture
def resource(server):
    return boto3.resource("dynamodb", endpoint_url=server.endpoint, region_name="us-east-1",
                          aws_access_key_id="x", aws_secret_access_key="x", config=client_config())


@pytest.fixture
def raw(server):
    """raw(target, body) -> (status, headers, json-or-bytes) over plain HTTP."""

    def call(target, body, headers=None):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        if "." not in target:
            target = "DynamoDB_20120810." + target
        st, hdrs, out = compatlib.raw_call(server.endpoint, target, data, headers=headers)
        try:
            parsed = json.loads(out) if out else None
        except ValueError:
            parsed = out
        return st, hdrs, parsed

    return call


@pytest.fixture
def make_table(ddb):
    """make_table(prefix, **create_args) -> table name; deleted at teardown."""
    created = []

    def make(prefix="t", **kwargs):
        name = "compat-%s-%s" % (prefix, uuid.uuid4().hex[:10])
        args = dict(kwargs)
        args.setdefault("BillingMode", "PAY_PER_REQUEST")
        if "KeySchema" not in args:
            args["KeySchema"] = [{"AttributeName": "pk", "KeyType": "HASH"},
                                 {"AttributeName": "sk", "KeyType": "RANGE"}]
            args.setdefault("AttributeDefinitions", [{"AttributeName": "pk", "AttributeType": "S"},
                                                     {"AttributeName": "sk", "AttributeType": "S"}])
        ddb.create_table(TableName=name, **args)
        created.append(name)
        return name

    yield make
    for name in created:
        try:
            ddb.delete_table(TableName=name)
        except Exception:
            pass


def documented_only(server, why):
    """Skips on DynamoDB Local where it is known to differ from DynamoDB's docs."""
    if server.name == "ddblocal":
        pytest.skip("DynamoDB Local differs from DynamoDB here: " + why)
