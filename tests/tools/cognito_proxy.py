#!/usr/bin/python3
"""A test stand-in for Cognito's front door, placed before cognito-local.

cognito-local answers ListUsers with every user in one response and does not
look at request signatures. Real Cognito pages (Limit, PaginationToken) and
refuses a bad signature. This proxy adds both so the tools are tested the
way Cognito treats them:

  * every request's AWS Signature Version 4 is recomputed with botocore's
    own signer (same date, same signed headers) and compared; a mismatch
    is answered like Cognito does (400 InvalidSignatureException);
  * ListUsers is paged: the full list from cognito-local is cut into pages
    of Limit users with an opaque PaginationToken.

Each request is logged to LOG as one JSON line (target, limit, token,
signature verdict, signing scope). Usage:
    cognito_proxy.py LISTEN_PORT UPSTREAM_URL SECRET_KEY LOG
"""
import base64
import json
import sys
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

PORT, UPSTREAM, SECRET, LOG = int(sys.argv[1]), sys.argv[2].rstrip("/"), sys.argv[3], sys.argv[4]


def check_signature(handler, body):
    """Returns (ok, scope) after recomputing the request's signature."""
    auth = handler.headers.get("Authorization", "")
    if not auth.startswith("AWS4-HMAC-SHA256 "):
        return False, None
    parts = dict(p.strip().split("=", 1) for p in auth[len("AWS4-HMAC-SHA256 "):].split(","))
    key_id, date, region, service, _ = parts["Credential"].split("/")
    signed = parts["SignedHeaders"].split(";")
    headers = {h: handler.headers.get(h, "") for h in signed}
    req = AWSRequest(method="POST", url=f"http://{handler.headers['Host']}{handler.path}",
                     data=body, headers=headers)
    req.context["timestamp"] = handler.headers["X-Amz-Date"]
    token = handler.headers.get("X-Amz-Security-Token")
    signer = SigV4Auth(Credentials(key_id, SECRET, token), service, region)
    canonical = signer.canonical_request(req)
    expected = signer.signature(signer.string_to_sign(req, canonical), req)
    return expected == parts["Signature"], f"{date}/{region}/{service}"


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, obj):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        target = self.headers.get("X-Amz-Target", "")
        req = json.loads(body or b"{}")
        ok, scope = check_signature(self, body)
        with open(LOG, "a") as log:
            log.write(json.dumps({"target": target, "limit": req.get("Limit"),
                                  "token": req.get("PaginationToken"), "signature_ok": ok,
                                  "scope": scope, "session_token":
                                  self.headers.get("X-Amz-Security-Token")}) + "\n")
        if not ok:
            return self.answer(400, {"__type": "InvalidSignatureException",
                                     "message": "The request signature we calculated does not "
                                                "match the signature you provided."})
        limit = req.pop("Limit", None)
        token = req.pop("PaginationToken", None)
        upstream = urllib.request.Request(UPSTREAM + "/", data=json.dumps(req).encode(),
                                          headers={"Content-Type": "application/x-amz-json-1.1",
                                                   "X-Amz-Target": target})
        try:
            with urllib.request.urlopen(upstream) as r:
                status, res = r.status, json.load(r)
        except urllib.error.HTTPError as e:
            status, res = e.code, json.load(e)
        if status == 200 and target.endswith(".ListUsers"):
            users = res.get("Users", [])
            start = int(base64.b64decode(token)) if token else 0
            size = limit or 60
            res["Users"] = users[start:start + size]
            if start + size < len(users):
                res["PaginationToken"] = base64.b64encode(str(start + size).encode()).decode()
        self.answer(status, res)


ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
