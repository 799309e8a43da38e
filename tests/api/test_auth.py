"""Who may do what: the authorization matrix of a conversation (spec 8.1)
and the token attacks that must all end in 401 {} (spec 8.7)."""
import base64
import hashlib
import hmac
import json
import os
import subprocess
import time
import uuid

import pytest

from conftest import BIN, Server, dev_key, server_env

PROTECTED = [("GET", "/api/message_groups", None),
             ("GET", "/api/messages/" + str(uuid.uuid4()), None),
             ("POST", "/api/messages", {"message": "x", "handle": "bayko"})]


def assert_401(r):
    assert r.status_code == 401, r.text
    assert r.content == b"{}"


def test_authorization_matrix(server, tokens):
    a, b, c = tokens["andrewbrown"], tokens["bayko"], tokens["londo"]
    r = server.send(a, "just between us", handle="bayko")
    assert r.status_code == 200
    group = r.json()["message_group_uuid"]
    before = server.all_messages(a, group)

    # The outsider can neither read nor post, and sees what a missing group gives.
    r = server.get("/api/messages/" + group, c)
    assert r.status_code == 404 and r.json() == {"error": "not found"}
    r = server.send(c, "let me in", group=group)
    assert r.status_code == 404 and r.json() == {"error": "not found"}
    r = server.get("/api/messages/" + group + "?before=MjAzMC0wMS0wMVQwMDowMDowMFo", c)
    assert r.status_code == 404

    # Nothing was written anywhere.
    assert server.all_messages(a, group) == before
    assert server.all_messages(b, group) == before
    assert server.groups(c) == []
    assert [g["uuid"] for g in server.groups(a)] == [group]

    # Both members can read and post.
    for t in (a, b):
        assert server.get("/api/messages/" + group, t).status_code == 200
        assert server.send(t, "member here", group=group).status_code == 200


@pytest.mark.parametrize("method,path,body", PROTECTED)
@pytest.mark.parametrize("authorization", [
    None, "", "Bearer", "Bearer ", "Basic YW5kcmV3OnNlY3JldA==", "Token abc",
    "Bearer garbage", "Bearer a.b.c", "Bearer eyJhbGciOiJub25lIn0.e30.",
    "Bearer " + "A" * 10000,
])
def test_bad_authorization_is_401(server, method, path, body, authorization):
    headers = {} if authorization is None else {"Authorization": authorization}
    r = server.request(method, path, headers=headers, json=body)
    assert_401(r)


def test_wrong_scheme_with_a_valid_token_is_401(server, tokens):
    r = server.request("GET", "/api/message_groups",
                       headers={"Authorization": "Token " + tokens["bayko"]})
    assert_401(r)
    r = server.request("GET", "/api/message_groups",
                       headers={"Authorization": "bearer " + tokens["bayko"]})
    assert r.status_code == 200, "the scheme is case-insensitive"


# ---- forged tokens: need the dev issuer's key, so a server on a data folder ----

def b64url(data):
    if isinstance(data, (dict, list)):
        data = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@pytest.fixture(scope="module")
def forge(tmp_path_factory):
    jwt = pytest.importorskip("jwt")
    pytest.importorskip("cryptography")
    data = str(tmp_path_factory.mktemp("forge-data"))
    s = Server(data=data).start()
    good = s.signin("bayko")
    key = dev_key(data)
    header = json.loads(base64.urlsafe_b64decode(good.split(".")[0] + "=="))
    claims = json.loads(base64.urlsafe_b64decode(good.split(".")[1] + "=="))
    private = jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(key))
    pub_jwk = s.get("/.well-known/jwks.json").json()["keys"][0]

    class Forge:
        server = s
        token = good

        def sign(self, changes=None, drop=(), headers=None, drop_header=(), key=private):
            """RS256 over any header and claims (PyJWT refuses odd headers)."""
            from cryptography.hazmat.primitives import hashes
            from cryptography.hazmat.primitives.asymmetric import padding
            c = dict(claims, **(changes or {}))
            for k in drop:
                c.pop(k, None)
            h = dict(header, **(headers or {}))
            for k in drop_header:
                h.pop(k, None)
            signing_input = (b64url(h) + "." + b64url(c)).encode()
            sig = key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
            return signing_input.decode() + "." + b64url(sig)

        def public_pem(self):
            pub = jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(pub_jwk))
            from cryptography.hazmat.primitives import serialization
            return pub.public_bytes(serialization.Encoding.PEM,
                                    serialization.PublicFormat.SubjectPublicKeyInfo)

    yield Forge()
    assert s.stop() == 0


def test_forged_baseline_is_accepted(forge):
    # The forging machinery itself works: an honest re-signing is accepted.
    assert forge.server.get("/api/message_groups", forge.sign()).status_code == 200
    assert forge.server.get("/api/message_groups", forge.token).status_code == 200


def forged_tokens(f):
    now = int(time.time())
    good = f.token
    h, p, s = good.split(".")
    claims = json.loads(base64.urlsafe_b64decode(p + "=="))
    header = json.loads(base64.urlsafe_b64decode(h + "=="))
    tampered = dict(claims, sub=str(uuid.uuid4()))
    hs_header = dict(header, alg="HS256")
    hs_input = (b64url(hs_header) + "." + b64url(claims)).encode()
    hs_sig = b64url(hmac.new(f.public_pem(), hs_input, hashlib.sha256).digest())
    from cryptography.hazmat.primitives.asymmetric import rsa
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return {
        "expired": f.sign({"exp": now - 3600, "iat": now - 7200, "auth_time": now - 7200}),
        "alg_none": b64url(dict(header, alg="none")) + "." + b64url(claims) + ".",
        "hs256_with_public_key": hs_input.decode() + "." + hs_sig,
        "missing_kid": f.sign(drop_header=("kid",)),
        "null_kid": f.sign(headers={"kid": None}),
        "unknown_kid": f.sign(headers={"kid": "not-a-known-kid"}),
        "tampered_payload": h + "." + b64url(tampered) + "." + s,
        "tampered_signature": h + "." + p + "." + ("A" if s[0] != "A" else "B") + s[1:],
        "wrong_issuer": f.sign({"iss": "https://cognito-idp.us-east-1.amazonaws.com/x_y"}),
        "wrong_client_id": f.sign({"client_id": "someone-else"}),
        "id_token": f.sign({"token_use": "id"}),
        "no_sub": f.sign(drop=("sub",)),
        "unknown_user": f.sign({"sub": str(uuid.uuid4())}),
        "other_key_same_kid": f.sign(key=other_key),
        "not_yet_valid": f.sign({"iat": now + 3600, "nbf": now + 3600}),
    }


def test_forged_tokens_are_401(forge):
    tokens = forged_tokens(forge)
    for name, token in tokens.items():
        if name == "missing_kid":
            hdr = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
            assert "kid" not in hdr
        for method, path, body in PROTECTED:
            r = forge.server.request(method, path, headers={"Authorization": "Bearer " + token},
                                     json=body)
            assert r.status_code == 401, (name, path, r.text)
            assert r.content == b"{}", name


def test_token_command(data_dir):
    s = Server(data=data_dir).start()
    try:
        env = server_env()
        out = subprocess.run([BIN, "token", "andrewbrown", "--data", data_dir], env=env,
                             capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        token = out.stdout.strip()
        assert token.count(".") == 2
        assert s.get("/api/message_groups", token).status_code == 200

        out = subprocess.run([BIN, "token", "nobody", "--data", data_dir], env=env,
                             capture_output=True, text=True, timeout=60)
        assert out.returncode != 0 and "nobody" in out.stderr

        cognito = dict(env, AWS_COGNITO_USER_POOL_ID="us-east-1_abc123",
                       AWS_COGNITO_USER_POOL_CLIENT_ID="client123", AWS_REGION="us-east-1")
        out = subprocess.run([BIN, "token", "andrewbrown", "--data", data_dir], env=cognito,
                             capture_output=True, text=True, timeout=60)
        assert out.returncode != 0 and "Cognito" in out.stderr

        out = subprocess.run([BIN, "token", "--help"], capture_output=True, text=True)
        assert out.returncode == 0 and "usage" in out.stdout
    finally:
        assert s.stop() == 0


def test_no_dev_routes_with_a_cognito_pool():
    # A pool at an address where nothing listens: the server starts, refuses
    # every token, and has no dev routes.
    s = Server(env={"AWS_COGNITO_USER_POOL_ID": "us-east-1_abc123",
                    "AWS_COGNITO_USER_POOL_CLIENT_ID": "client123",
                    "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": "http://127.0.0.1:9"}).start()
    try:
        assert s.post("/api/dev/signin", {"handle": "bayko"}).status_code == 404
        assert s.get("/.well-known/jwks.json").status_code == 404
        assert_401(s.get("/api/message_groups", "a.b.c"))
        assert s.get("/api/users/@bayko/short").status_code in (200, 404)
    finally:
        assert s.stop() == 0
