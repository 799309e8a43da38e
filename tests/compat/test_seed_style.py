"""The seed's usage, re-written for our suite: the schema-load create_table
call (pk/sk, the message-group-sk-index GSI, PROJECT tag, PROVISIONED
billing), the conversation rows, and the stream Lambda's logic (on a new
message: resource-level GSI query of the group's rows, delete_item and
put_item of each with the message's sort key) fed with the INSERT record
read from the server's own stream. Run against both servers; the results
must be identical and as expected."""
import boto3
import pytest
from boto3.dynamodb.conditions import Key
from conftest import SERVERS, client_config, make_client

GROUP = "5ae290ed-55d1-47a0-bc6d-fe2bc2700399"
USERS = [("a1d2", "Andrew Brown", "andrewbrown"), ("b3e4", "Andrew Bayko", "bayko")]


def schema_load(client, name):
    return client.create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "message_group_uuid", "AttributeType": "S"},
                              {"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[{
            "IndexName": "message-group-sk-index",
            "KeySchema": [{"AttributeName": "message_group_uuid", "KeyType": "HASH"},
                          {"AttributeName": "sk", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "ALL"},
            "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}}],
        BillingMode="PROVISIONED",
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
        Tags=[{"Key": "PROJECT", "Value": "CRUDDER"}])


def seed_rows(table):
    """Both members' message-group rows and the first message."""
    for i, (uuid, name, handle) in enumerate(USERS):
        other = USERS[1 - i]
        table.put_item(Item={"pk": "GRP#" + uuid, "sk": "2023-04-01T10:00:00+00:00",
                             "message_group_uuid": GROUP, "message": "hello",
                             "user_uuid": other[0], "user_display_name": other[1], "user_handle": other[2]})
    table.put_item(Item={"pk": "MSG#" + GROUP, "sk": "2023-04-01T10:00:00+00:00", "message_uuid": "m1",
                         "message": "hello", "user_uuid": USERS[0][0], "user_display_name": USERS[0][1],
                         "user_handle": USERS[0][2]})


def stream_lambda(resource, table_name, event):
    """What the seed's Lambda does with a stream event (our own code)."""
    log = []
    record = event["Records"][0]
    if record["eventName"] == "REMOVE":
        return log
    pk = record["dynamodb"]["Keys"]["pk"]["S"]
    sk = record["dynamodb"]["Keys"]["sk"]["S"]
    if not pk.startswith("MSG#"):
        return log
    group_uuid = pk[len("MSG#"):]
    message = record["dynamodb"]["NewImage"]["message"]["S"]
    table = resource.Table(table_name)
    rows = table.query(IndexName="message-group-sk-index",
                       KeyConditionExpression=Key("message_group_uuid").eq(group_uuid))["Items"]
    log.append(("query", sorted((r["pk"], r["sk"]) for r in rows)))
    for row in rows:
        out = table.delete_item(Key={"pk": row["pk"], "sk": row["sk"]})
        log.append(("delete", {k: v for k, v in out.items() if k != "ResponseMetadata"}))
        out = table.put_item(Item={"pk": row["pk"], "sk": sk, "message_group_uuid": row["message_group_uuid"],
                                   "message": message, "user_display_name": row["user_display_name"],
                                   "user_handle": row["user_handle"], "user_uuid": row["user_uuid"]})
        log.append(("put", {k: v for k, v in out.items() if k != "ResponseMetadata"}))
    return log


def run_scenario(server):
    client = make_client(server)
    streams = make_client(server, "dynamodbstreams")
    resource = boto3.resource("dynamodb", endpoint_url=server.endpoint, region_name="us-east-1",
                              aws_access_key_id="x", aws_secret_access_key="x", config=client_config())
    name = "cruddur-messages-compat"
    try:
        created = schema_load(client, name)["TableDescription"]
        assert created["TableName"] == name
        client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 2})
        client.update_table(TableName=name, StreamSpecification={"StreamEnabled": True,
                                                                 "StreamViewType": "NEW_AND_OLD_IMAGES"})
        table = resource.Table(name)
        seed_rows(table)
        arn = client.describe_table(TableName=name)["Table"]["LatestStreamArn"]
        shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
        latest = streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                            ShardIteratorType="LATEST")["ShardIterator"]
        nxt = streams.get_records(ShardIterator=latest)["NextShardIterator"]
        # A new message in the conversation.
        table.put_item(Item={"pk": "MSG#" + GROUP, "sk": "2023-04-02T09:30:00+00:00", "message_uuid": "m2",
                             "message": "see you at 5 \U0001F44B", "user_uuid": USERS[1][0],
                             "user_display_name": USERS[1][1], "user_handle": USERS[1][2]})
        recs = streams.get_records(ShardIterator=nxt)["Records"]
        assert [r["eventName"] for r in recs] == ["INSERT"]
        log = stream_lambda(resource, name, {"Records": recs})
        rows = table.query(IndexName="message-group-sk-index",
                           KeyConditionExpression=Key("message_group_uuid").eq(GROUP))["Items"]
        everything = sorted(client.scan(TableName=name)["Items"], key=lambda x: (x["pk"]["S"], x["sk"]["S"]))
        d = client.describe_table(TableName=name)["Table"]
        summary = {"billing": d["ProvisionedThroughput"]["ReadCapacityUnits"],
                   "gsi": [(g["IndexName"], g["Projection"]["ProjectionType"])
                           for g in d["GlobalSecondaryIndexes"]],
                   "count": d["ItemCount"]}
        return log, rows, everything, summary
    finally:
        client.delete_table(TableName=name)


def test_seed_stream_lambda_same_on_both(servers):
    results = {}
    for name in SERVERS:
        results[name] = run_scenario(servers(name))
    for name, (log, rows, everything, summary) in results.items():
        assert log[0] == ("query", [("GRP#a1d2", "2023-04-01T10:00:00+00:00"),
                                    ("GRP#b3e4", "2023-04-01T10:00:00+00:00")]), name
        assert [x[0] for x in log] == ["query", "delete", "put", "delete", "put"]
        assert sorted((r["pk"], r["sk"], r["message"]) for r in rows) == [
            ("GRP#a1d2", "2023-04-02T09:30:00+00:00", "see you at 5 \U0001F44B"),
            ("GRP#b3e4", "2023-04-02T09:30:00+00:00", "see you at 5 \U0001F44B")]
        assert len(everything) == 4
        assert summary == {"billing": 5, "gsi": [("message-group-sk-index", "ALL")], "count": 4}
    if len(results) == 2:
        assert results["cruddur"] == results["ddblocal"]
    else:
        pytest.skip("only %s ran: nothing to compare with" % SERVERS)
