"""The aws cli (Debian's awscli) against both servers: create-table,
put-item, query, scan with pagination, describe-table."""
import json
import os
import subprocess
import uuid

AWS = "/usr/bin/aws"


def aws(server, *args):
    env = dict(os.environ, AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x", AWS_DEFAULT_REGION="us-east-1",
               AWS_PAGER="", AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")
    p = subprocess.run([AWS, "dynamodb", *args, "--endpoint-url", server.endpoint, "--output", "json"],
                       capture_output=True, text=True, env=env, timeout=60)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout) if p.stdout.strip() else {}


def test_cli_round_trip(server, ddb):
    name = "compat-cli-" + uuid.uuid4().hex[:8]
    out = aws(server, "create-table", "--table-name", name,
              "--attribute-definitions", "AttributeName=pk,AttributeType=S", "AttributeName=sk,AttributeType=N",
              "--key-schema", "AttributeName=pk,KeyType=HASH", "AttributeName=sk,KeyType=RANGE",
              "--billing-mode", "PAY_PER_REQUEST")
    try:
        assert out["TableDescription"]["TableName"] == name
        aws(server, "put-item", "--table-name", name,
            "--item", json.dumps({"pk": {"S": "p"}, "sk": {"N": "3"}, "v": {"S": "\u00e93"}}))
        aws(server, "batch-write-item", "--request-items", json.dumps({name: [
            {"PutRequest": {"Item": {"pk": {"S": "p"}, "sk": {"N": str(i)}, "v": {"S": "\u00e9%d" % i}}}}
            for i in range(12) if i != 3]}))
        out = aws(server, "query", "--table-name", name, "--key-condition-expression", "pk = :p AND sk >= :s",
                  "--expression-attribute-values", json.dumps({":p": {"S": "p"}, ":s": {"N": "10"}}))
        assert [x["sk"]["N"] for x in out["Items"]] == ["10", "11"]
        assert out["Count"] == 2
        # The cli follows LastEvaluatedKey itself with --page-size; --max-items cuts
        # and returns a NextToken to resume from.
        out = aws(server, "scan", "--table-name", name, "--page-size", "5")
        assert sorted(int(x["sk"]["N"]) for x in out["Items"]) == list(range(12))
        assert out["Count"] == 12
        first = aws(server, "scan", "--table-name", name, "--page-size", "5", "--max-items", "7")
        assert len(first["Items"]) == 7 and first.get("NextToken")
        rest = aws(server, "scan", "--table-name", name, "--page-size", "5", "--starting-token",
                   first["NextToken"])
        got = [int(x["sk"]["N"]) for x in first["Items"] + rest["Items"]]
        assert sorted(got) == list(range(12))
        d = aws(server, "describe-table", "--table-name", name)["Table"]
        assert d["TableStatus"] == "ACTIVE" and d["ItemCount"] == 12
        assert d["KeySchema"][1] == {"AttributeName": "sk", "KeyType": "RANGE"}
        assert ddb.get_item(TableName=name, Key={"pk": {"S": "p"}, "sk": {"N": "3"}})["Item"]["v"] == {"S": "\u00e93"}
    finally:
        ddb.delete_table(TableName=name)


def test_cli_partiql(server, ddb, make_table):
    name = make_table("clipq")
    t = '"%s"' % name
    assert aws(server, "execute-statement", "--statement",
               "INSERT INTO %s VALUE {'pk': 'a', 'sk': 'b', 'n': 1}" % t) == {"Items": []}
    aws(server, "execute-statement", "--statement", "INSERT INTO %s VALUE {'pk': ?, 'sk': ?}" % t,
        "--parameters", json.dumps([{"S": "a"}, {"S": "c"}]))
    out = aws(server, "execute-statement", "--statement", "SELECT sk, n FROM %s WHERE pk = 'a'" % t)
    assert out["Items"] == [{"sk": {"S": "b"}, "n": {"N": "1"}}, {"sk": {"S": "c"}}]
    out = aws(server, "batch-execute-statement", "--statements", json.dumps([
        {"Statement": "UPDATE %s SET n = n + 1 WHERE pk = 'a' AND sk = 'b'" % t},
        {"Statement": "DELETE FROM %s WHERE pk = 'a' AND sk = 'c'" % t}]))
    assert out["Responses"] == [{"TableName": name}, {"TableName": name}]
    out = aws(server, "execute-transaction", "--transact-statements", json.dumps([
        {"Statement": "SELECT n FROM %s WHERE pk = 'a' AND sk = 'b'" % t}]))
    assert out["Responses"] == [{"Item": {"n": {"N": "2"}}}]
    assert ddb.scan(TableName=name, Select="COUNT")["Count"] == 1
