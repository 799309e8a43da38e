"""Control plane: CreateTable (GSI/LSI/projections, provisioned or on
demand), DescribeTable, ListTables paging, UpdateTable (stream, GSI create
and delete), DeleteTable, TTL and tags, with their errors."""
import re
import time

from compatlib import error_of, expect_error, expect_error_ddb
from conftest import documented_only

KEYS = [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]


def full_table_args():
    return dict(
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "N"},
                              {"AttributeName": "g1", "AttributeType": "S"},
                              {"AttributeName": "g2", "AttributeType": "B"},
                              {"AttributeName": "l1", "AttributeType": "S"}],
        KeySchema=KEYS,
        GlobalSecondaryIndexes=[
            {"IndexName": "all", "KeySchema": [{"AttributeName": "g1", "KeyType": "HASH"},
                                               {"AttributeName": "sk", "KeyType": "RANGE"}],
             "Projection": {"ProjectionType": "ALL"},
             "ProvisionedThroughput": {"ReadCapacityUnits": 3, "WriteCapacityUnits": 4}},
            {"IndexName": "keys", "KeySchema": [{"AttributeName": "g2", "KeyType": "HASH"}],
             "Projection": {"ProjectionType": "KEYS_ONLY"},
             "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}},
            {"IndexName": "incl", "KeySchema": [{"AttributeName": "g1", "KeyType": "HASH"}],
             "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["a", "b"]},
             "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}},
        ],
        LocalSecondaryIndexes=[
            {"IndexName": "lsi", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                               {"AttributeName": "l1", "KeyType": "RANGE"}],
             "Projection": {"ProjectionType": "KEYS_ONLY"}}],
        BillingMode="PROVISIONED",
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 6},
    )


def test_create_describe_full(ddb, make_table):
    name = make_table("full", **full_table_args())
    d = ddb.describe_table(TableName=name)["Table"]
    assert d["TableName"] == name
    assert d["TableStatus"] == "ACTIVE"
    assert d["KeySchema"] == KEYS
    assert sorted(a["AttributeName"] for a in d["AttributeDefinitions"]) == ["g1", "g2", "l1", "pk", "sk"]
    assert {a["AttributeName"]: a["AttributeType"] for a in d["AttributeDefinitions"]}["g2"] == "B"
    assert d["ItemCount"] == 0 and d["TableSizeBytes"] == 0
    assert re.fullmatch(r"arn:aws:dynamodb:[a-z0-9-]+:\d{12}:table/" + re.escape(name), d["TableArn"])
    assert d["ProvisionedThroughput"]["ReadCapacityUnits"] == 5
    assert d["ProvisionedThroughput"]["WriteCapacityUnits"] == 6
    assert d["CreationDateTime"].year >= 2024
    gsis = {g["IndexName"]: g for g in d["GlobalSecondaryIndexes"]}
    assert set(gsis) == {"all", "keys", "incl"}
    assert gsis["all"]["IndexStatus"] == "ACTIVE"
    assert gsis["all"]["KeySchema"][1] == {"AttributeName": "sk", "KeyType": "RANGE"}
    assert gsis["all"]["Projection"] == {"ProjectionType": "ALL"}
    assert gsis["all"]["ProvisionedThroughput"]["ReadCapacityUnits"] == 3
    assert gsis["all"]["ProvisionedThroughput"]["WriteCapacityUnits"] == 4
    assert gsis["keys"]["Projection"] == {"ProjectionType": "KEYS_ONLY"}
    assert gsis["incl"]["Projection"]["ProjectionType"] == "INCLUDE"
    assert sorted(gsis["incl"]["Projection"]["NonKeyAttributes"]) == ["a", "b"]
    assert gsis["all"]["IndexArn"] == d["TableArn"] + "/index/all"
    assert gsis["all"]["ItemCount"] == 0
    lsis = d["LocalSecondaryIndexes"]
    assert [l["IndexName"] for l in lsis] == ["lsi"]
    assert lsis[0]["Projection"] == {"ProjectionType": "KEYS_ONLY"}
    assert lsis[0]["IndexArn"] == d["TableArn"] + "/index/lsi"
    assert "StreamSpecification" not in d and "LatestStreamArn" not in d


def test_create_response_matches_describe(ddb, make_table):
    name = "compat-cr-" + str(time.time_ns())
    out = ddb.create_table(TableName=name, KeySchema=[KEYS[0]],
                           AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                           BillingMode="PAY_PER_REQUEST")
    try:
        td = out["TableDescription"]
        assert td["TableName"] == name and td["TableStatus"] in ("ACTIVE", "CREATING")
        assert td["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
        d = ddb.describe_table(TableName=name)["Table"]
        assert d["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
        assert d["ProvisionedThroughput"]["ReadCapacityUnits"] == 0
        assert d["TableArn"] == td["TableArn"]
    finally:
        ddb.delete_table(TableName=name)


def test_table_exists_waiter_first_poll(ddb, make_table):
    name = make_table("wait")
    t0 = time.time()
    ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 1})
    assert time.time() - t0 < 1


def test_create_existing_table(server, ddb, make_table):
    # DynamoDB Local says "Cannot create preexisting table".
    name = make_table("dup")
    expect_error_ddb(server, "ResourceInUseException", "Table already exists: " + name, ddb.create_table,
                 TableName=name, KeySchema=[KEYS[0]],
                 AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                 BillingMode="PAY_PER_REQUEST")


def test_describe_missing_table(server, ddb):
    # DynamoDB Local says "Cannot do operations on a non-existent table".
    expect_error_ddb(server, "ResourceNotFoundException",
                     "Requested resource not found: Table: compat-nope not found",
                 ddb.describe_table, TableName="compat-nope")


def test_create_table_validation(server, ddb):
    # A key attribute with no definition.
    code, msg, _ = error_of(ddb.create_table, TableName="compat-bad1", KeySchema=[KEYS[0]],
                            AttributeDefinitions=[{"AttributeName": "x", "AttributeType": "S"}],
                            BillingMode="PAY_PER_REQUEST")
    assert code == "ValidationException"
    # PROVISIONED without throughput.
    code, msg, _ = error_of(ddb.create_table, TableName="compat-bad2", KeySchema=[KEYS[0]],
                            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                            BillingMode="PROVISIONED")
    assert code == "ValidationException"
    # Key of type BOOL.
    code, msg, _ = error_of(ddb.create_table, TableName="compat-bad3", KeySchema=[KEYS[0]],
                            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "BOOL"}],
                            BillingMode="PAY_PER_REQUEST")
    assert code == "ValidationException"
    # Unused attribute definition (DynamoDB Local words it differently).
    expect_error_ddb(server, "ValidationException",
                 "One or more parameter values were invalid: Number of attributes in KeySchema does not "
                 "exactly match number of attributes defined in AttributeDefinitions",
                 ddb.create_table, TableName="compat-bad4", KeySchema=[KEYS[0]],
                 AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                       {"AttributeName": "zz", "AttributeType": "S"}],
                 BillingMode="PAY_PER_REQUEST")
    for n in ("compat-bad1", "compat-bad2", "compat-bad3", "compat-bad4"):
        expect_error("ResourceNotFoundException", None, ddb.describe_table, TableName=n)


def test_list_tables_paging(ddb, make_table):
    mine = sorted(make_table("list") for _ in range(3))
    seen, start, pages = [], None, 0
    while True:
        kw = {"Limit": 2}
        if start:
            kw["ExclusiveStartTableName"] = start
        page = ddb.list_tables(**kw)
        pages += 1
        assert len(page["TableNames"]) <= 2
        seen += page["TableNames"]
        start = page.get("LastEvaluatedTableName")
        if not start:
            break
        assert start == page["TableNames"][-1]
    assert seen == sorted(seen) and len(seen) == len(set(seen))
    assert [n for n in seen if n in mine] == mine
    assert pages >= 2
    everything = ddb.list_tables()["TableNames"]
    assert everything == seen


def test_delete_table(ddb, make_table):
    name = make_table("del")
    out = ddb.delete_table(TableName=name)["TableDescription"]
    assert out["TableName"] == name
    expect_error("ResourceNotFoundException", None, ddb.describe_table, TableName=name)
    expect_error("ResourceNotFoundException", None, ddb.delete_table, TableName=name)
    assert name not in ddb.list_tables()["TableNames"]


def test_update_table_stream_on_off(ddb, make_table):
    name = make_table("ust")
    d = ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": True,
                                                              "StreamViewType": "NEW_IMAGE"})
    td = d["TableDescription"]
    assert td["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    arn = td["LatestStreamArn"]
    assert arn.startswith(td["TableArn"] + "/stream/")
    assert arn.endswith("/stream/" + td["LatestStreamLabel"])
    d = ddb.describe_table(TableName=name)["Table"]
    assert d["LatestStreamArn"] == arn
    # Enabling it again is an error.
    expect_error("ValidationException", None, ddb.update_table, TableName=name,
                 StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": False})
    d = ddb.describe_table(TableName=name)["Table"]
    assert d.get("StreamSpecification", {"StreamEnabled": False})["StreamEnabled"] is False


def test_update_table_add_and_remove_gsi(ddb, make_table):
    name = make_table("ugsi")
    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "sk": {"S": "1"}, "g": {"S": "x"}, "v": {"N": "1"}})
    ddb.put_item(TableName=name, Item={"pk": {"S": "b"}, "sk": {"S": "1"}, "v": {"N": "2"}})
    ddb.update_table(TableName=name,
                     AttributeDefinitions=[{"AttributeName": "g", "AttributeType": "S"}],
                     GlobalSecondaryIndexUpdates=[{"Create": {
                         "IndexName": "byg", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                         "Projection": {"ProjectionType": "ALL"}}}])
    for _ in range(100):
        d = ddb.describe_table(TableName=name)["Table"]
        g = {x["IndexName"]: x for x in d.get("GlobalSecondaryIndexes", [])}
        if g.get("byg", {}).get("IndexStatus") == "ACTIVE":
            break
        time.sleep(0.1)
    assert g["byg"]["IndexStatus"] == "ACTIVE"
    # Existing items were backfilled (sparse: only the one with g).
    q = ddb.query(TableName=name, IndexName="byg", KeyConditionExpression="g = :g",
                  ExpressionAttributeValues={":g": {"S": "x"}})
    assert q["Items"] == [{"pk": {"S": "a"}, "sk": {"S": "1"}, "g": {"S": "x"}, "v": {"N": "1"}}]
    assert ddb.scan(TableName=name, IndexName="byg")["Count"] == 1
    ddb.update_table(TableName=name, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "byg"}}])
    for _ in range(100):
        d = ddb.describe_table(TableName=name)["Table"]
        if not d.get("GlobalSecondaryIndexes"):
            break
        time.sleep(0.1)
    assert not d.get("GlobalSecondaryIndexes")
    expect_error("ValidationException", None, ddb.query, TableName=name, IndexName="byg",
                 KeyConditionExpression="g = :g", ExpressionAttributeValues={":g": {"S": "x"}})


def test_update_table_billing_and_throughput(ddb, make_table):
    name = make_table("ubill")
    ddb.update_table(TableName=name, BillingMode="PROVISIONED",
                     ProvisionedThroughput={"ReadCapacityUnits": 7, "WriteCapacityUnits": 8})
    d = ddb.describe_table(TableName=name)["Table"]
    assert d["ProvisionedThroughput"]["ReadCapacityUnits"] == 7
    assert d["ProvisionedThroughput"]["WriteCapacityUnits"] == 8


def test_update_missing_table(ddb):
    expect_error("ResourceNotFoundException", None, ddb.update_table, TableName="compat-nope",
                 StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})


def test_ttl(ddb, make_table):
    name = make_table("ttl")
    d = ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    assert d == {"TimeToLiveStatus": "DISABLED"}
    out = ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True,
                                                                           "AttributeName": "exp"})
    assert out["TimeToLiveSpecification"] == {"Enabled": True, "AttributeName": "exp"}
    d = ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    assert d == {"TimeToLiveStatus": "ENABLED", "AttributeName": "exp"}
    # Enabling it again: "TimeToLive is already enabled".
    expect_error("ValidationException", "TimeToLive is already enabled", ddb.update_time_to_live,
                 TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": False, "AttributeName": "exp"})
    d = ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    assert d["TimeToLiveStatus"] in ("DISABLED", "DISABLING")
    expect_error("ResourceNotFoundException", None, ddb.describe_time_to_live, TableName="compat-nope")


def test_ttl_expiry_deletes_and_streams_remove(server, ddb, streams, make_table):
    documented_only(server, "DynamoDB Local never deletes expired items; DynamoDB deletes them "
                            "(within days) and writes a REMOVE record to the stream")
    name = make_table("ttlx", StreamSpecification={"StreamEnabled": True,
                                                   "StreamViewType": "NEW_AND_OLD_IMAGES"})
    ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    past = int(time.time()) - 10
    ddb.put_item(TableName=name, Item={"pk": {"S": "old"}, "sk": {"S": "1"}, "exp": {"N": str(past)}})
    ddb.put_item(TableName=name, Item={"pk": {"S": "new"}, "sk": {"S": "1"},
                                       "exp": {"N": str(int(time.time()) + 3600)}})
    ddb.put_item(TableName=name, Item={"pk": {"S": "str"}, "sk": {"S": "1"}, "exp": {"S": "1"}})
    deadline = time.time() + 15
    while time.time() < deadline:
        if "Item" not in ddb.get_item(TableName=name, Key={"pk": {"S": "old"}, "sk": {"S": "1"}},
                                      ConsistentRead=True):
            break
        time.sleep(0.2)
    keys = sorted(i["pk"]["S"] for i in ddb.scan(TableName=name)["Items"])
    assert keys == ["new", "str"]
    arn = ddb.describe_table(TableName=name)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    recs = streams.get_records(ShardIterator=it)["Records"]
    removes = [r for r in recs if r["eventName"] == "REMOVE"]
    assert len(removes) == 1
    assert removes[0]["dynamodb"]["Keys"] == {"pk": {"S": "old"}, "sk": {"S": "1"}}
    # TTL deletions are made by the service principal dynamodb.amazonaws.com.
    assert removes[0]["userIdentity"] == {"Type": "Service", "PrincipalId": "dynamodb.amazonaws.com"}


def test_tags(server, ddb, make_table):
    documented_only(server, "DynamoDB Local answers 'Tagging is not currently supported in DynamoDB Local'")
    name = make_table("tags", Tags=[{"Key": "PROJECT", "Value": "CRUDDER"}])
    arn = ddb.describe_table(TableName=name)["Table"]["TableArn"]
    assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == [{"Key": "PROJECT", "Value": "CRUDDER"}]
    ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "dev"}, {"Key": "PROJECT", "Value": "X"}])
    tags = ddb.list_tags_of_resource(ResourceArn=arn)["Tags"]
    assert sorted((t["Key"], t["Value"]) for t in tags) == [("PROJECT", "X"), ("env", "dev")]
    ddb.untag_resource(ResourceArn=arn, TagKeys=["PROJECT"])
    assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == [{"Key": "env", "Value": "dev"}]
    missing = arn.rsplit("/", 1)[0] + "/compat-nope"
    code, _, _ = error_of(ddb.list_tags_of_resource, ResourceArn=missing)
    assert code in ("ResourceNotFoundException", "AccessDeniedException")


def test_create_table_accepts_everything_clients_send(server, ddb, make_table):
    name = make_table("extras", SSESpecification={"Enabled": True, "SSEType": "KMS"},
                      StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"},
                      Tags=[{"Key": "a", "Value": "b"}])
    d = ddb.describe_table(TableName=name)["Table"]
    assert d["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}
    assert d["LatestStreamLabel"] and d["LatestStreamArn"].endswith(d["LatestStreamLabel"])
    if server.name == "cruddur":
        # DynamoDB reports the SSE settings back; DynamoDB Local leaves SSEDescription out.
        assert d["SSEDescription"]["Status"] in ("ENABLED", "ENABLING")
        assert d["SSEDescription"]["SSEType"] == "KMS"


def test_create_table_class_and_deletion_protection(server, raw, ddb):
    # boto3 1.26 does not know DeletionProtectionEnabled: raw JSON.
    name = "compat-cls-" + str(time.time_ns())
    st, _, out = raw("CreateTable", {"TableName": name, "KeySchema": [KEYS[0]],
                                     "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                                     "BillingMode": "PAY_PER_REQUEST",
                                     "TableClass": "STANDARD_INFREQUENT_ACCESS",
                                     "DeletionProtectionEnabled": True})
    assert st == 200, out
    d = raw("DescribeTable", {"TableName": name})[2]["Table"]
    if server.name == "cruddur":
        # DynamoDB reports the class back; DynamoDB Local 3.3.1 accepts
        # TableClass but leaves TableClassSummary out.
        assert d["TableClassSummary"]["TableClass"] == "STANDARD_INFREQUENT_ACCESS"
    assert d["DeletionProtectionEnabled"] is True
    code, msg, _ = error_of(ddb.delete_table, TableName=name)
    assert code == "ValidationException"
    assert "deletion protection" in msg.lower()
    st, _, out = raw("UpdateTable", {"TableName": name, "DeletionProtectionEnabled": False})
    assert st == 200, out
    ddb.delete_table(TableName=name)


def test_describe_limits(ddb):
    # DynamoDB's default quotas of a new account (DescribeLimits takes no input).
    out = ddb.describe_limits()
    out.pop("ResponseMetadata")
    assert out == {"AccountMaxReadCapacityUnits": 80000, "AccountMaxWriteCapacityUnits": 80000,
                   "TableMaxReadCapacityUnits": 40000, "TableMaxWriteCapacityUnits": 40000}


def test_table_arn_as_table_name(ddb, make_table):
    # DynamoDB takes a table's ARN wherever it takes TableName; DynamoDB Local
    # 3.3.1 does on these operations (not CreateTable), whatever the ARN's
    # region and account, and keys BatchGetItem's Responses by the name.
    name = make_table("arn", KeySchema=[KEYS[0]],
                      AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    arn = ddb.describe_table(TableName=name)["Table"]["TableArn"]
    k = {"pk": {"S": "a"}}
    assert ddb.describe_table(TableName=arn)["Table"]["TableName"] == name
    ddb.put_item(TableName=arn, Item=k)
    assert ddb.get_item(TableName=arn, Key=k)["Item"] == k
    ddb.update_item(TableName=arn, Key=k, UpdateExpression="SET x = :v", ExpressionAttributeValues={":v": {"N": "1"}})
    item = dict(k, x={"N": "1"})
    assert ddb.query(TableName=arn, KeyConditionExpression="pk = :p",
                     ExpressionAttributeValues={":p": {"S": "a"}})["Items"] == [item]
    assert ddb.scan(TableName=arn)["Items"] == [item]
    out = ddb.batch_get_item(RequestItems={arn: {"Keys": [k]}})
    assert out["Responses"] == {name: [item]}
    assert ddb.batch_write_item(RequestItems={arn: [{"PutRequest": {"Item": dict(k, y={"S": "b"})}}]})[
        "UnprocessedItems"] == {}
    assert ddb.get_item(TableName=name, Key=k)["Item"] == dict(k, y={"S": "b"})
    elsewhere = arn.split(":")
    elsewhere[3], elsewhere[4] = "eu-west-3", "123456789012"
    assert ddb.describe_table(TableName=":".join(elsewhere))["Table"]["TableName"] == name
    ddb.update_time_to_live(TableName=arn, TimeToLiveSpecification={"Enabled": True, "AttributeName": "ttl"})
    assert ddb.describe_time_to_live(TableName=arn)["TimeToLiveDescription"]["AttributeName"] == "ttl"
    ddb.update_table(TableName=arn, BillingMode="PAY_PER_REQUEST")
    ddb.delete_item(TableName=arn, Key=k)
    assert "Item" not in ddb.get_item(TableName=name, Key=k)
    code, _, _ = error_of(ddb.describe_table, TableName=arn + "/index/x")
    assert code == "ValidationException"
    code, _, _ = error_of(ddb.describe_table, TableName=arn.replace(":table/", ":table/nope-"))
    assert code == "ResourceNotFoundException"
    code, _, _ = error_of(ddb.create_table, TableName=arn.replace(":table/", ":table/new-"), KeySchema=[KEYS[0]],
                          AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                          BillingMode="PAY_PER_REQUEST")
    assert code == "ValidationException"
    ddb.delete_table(TableName=arn)
    code, _, _ = error_of(ddb.describe_table, TableName=name)
    assert code == "ResourceNotFoundException"


def test_table_arn_in_transactions(server, ddb, make_table):
    documented_only(server, "DynamoDB takes a table ARN as TableName in TransactWriteItems and "
                            "TransactGetItems too; DynamoDB Local 3.3.1 answers ResourceNotFoundException")
    name = make_table("arnt", KeySchema=[KEYS[0]],
                      AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    arn = ddb.describe_table(TableName=name)["Table"]["TableArn"]
    k = {"pk": {"S": "a"}}
    ddb.transact_write_items(TransactItems=[{"Put": {"TableName": arn, "Item": k}}])
    out = ddb.transact_get_items(TransactItems=[{"Get": {"TableName": arn, "Key": k}}])
    assert out["Responses"] == [{"Item": k}]


def test_attribute_definition_that_no_key_uses(ddb, make_table):
    # DynamoDB Local counts the AttributeDefinitions a table may have as its
    # key attributes, plus the LSI keys and the GSI keys that are not the
    # table's, each kind on its own: an attribute keyed by an LSI and a GSI
    # counts twice and leaves room for one definition no key uses.
    def create(extra):
        return make_table("adef", AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"},
            {"AttributeName": "l", "AttributeType": "S"}] + [{"AttributeName": x, "AttributeType": "N"} for x in extra],
            LocalSecondaryIndexes=[{"IndexName": "by-l", "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "l", "KeyType": "RANGE"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"}}],
            GlobalSecondaryIndexes=[{"IndexName": "g-l", "KeySchema": [{"AttributeName": "l", "KeyType": "HASH"}],
                                     "Projection": {"ProjectionType": "KEYS_ONLY"}}])

    name = create(["zz"])
    defs = ddb.describe_table(TableName=name)["Table"]["AttributeDefinitions"]
    assert {d["AttributeName"] for d in defs} == {"pk", "sk", "l", "zz"}
    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "sk": {"S": "b"}, "l": {"S": "c"}, "zz": {"S": "text"}})
    code, _, _ = error_of(create, ["zz", "yy"])
    assert code == "ValidationException"
