"""DynamoDB Streams over the protocol: ListStreams, DescribeStream,
GetShardIterator with its four types, GetRecords and the record shapes for
each StreamViewType; failed conditions and cancelled transactions write
nothing."""
import datetime
import re

import pytest
from compatlib import error_of


def stream_table(make_table, view):
    return make_table("st", StreamSpecification={"StreamEnabled": True, "StreamViewType": view})


def shard_of(ddb, streams, table):
    arn = ddb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    desc = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    return arn, desc


def records(streams, arn, shard, kind="TRIM_HORIZON", seq=None):
    kw = {"SequenceNumber": seq} if seq else {}
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType=kind, **kw)["ShardIterator"]
    out = []
    while it:
        page = streams.get_records(ShardIterator=it)
        out += page["Records"]
        if not page["Records"]:
            break
        it = page.get("NextShardIterator")
    return out


K = {"pk": {"S": "a"}, "sk": {"S": "1"}}


def write_history(ddb, table):
    """INSERT, MODIFY, failed condition (nothing), REMOVE, INSERT."""
    ddb.put_item(TableName=table, Item=dict(K, v={"N": "1"}))
    ddb.update_item(TableName=table, Key=K, UpdateExpression="SET v = :two",
                    ExpressionAttributeValues={":two": {"N": "2"}})
    error_of(ddb.put_item, TableName=table, Item=K, ConditionExpression="attribute_not_exists(pk)")
    error_of(ddb.transact_write_items, TransactItems=[
        {"Put": {"TableName": table, "Item": dict(K, v={"N": "9"})}},
        {"ConditionCheck": {"TableName": table, "Key": {"pk": {"S": "none"}, "sk": {"S": "1"}},
                            "ConditionExpression": "attribute_exists(pk)"}}])
    ddb.delete_item(TableName=table, Key=K)
    ddb.delete_item(TableName=table, Key=K)  # nothing to delete: no record
    ddb.put_item(TableName=table, Item=dict(K, v={"N": "3"}))


def test_list_and_describe_stream(server, ddb, streams, make_table):
    t = stream_table(make_table, "NEW_AND_OLD_IMAGES")
    arn, desc = shard_of(ddb, streams, t)
    listed = streams.list_streams(TableName=t)["Streams"]
    assert listed == [{"StreamArn": arn, "TableName": t, "StreamLabel": arn.rsplit("/", 1)[1]}]
    assert any(s["StreamArn"] == arn for s in streams.list_streams()["Streams"])
    assert desc["StreamArn"] == arn and desc["TableName"] == t
    assert desc["StreamStatus"] == "ENABLED" and desc["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert desc["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"},
                                 {"AttributeName": "sk", "KeyType": "RANGE"}]
    assert isinstance(desc["CreationRequestDateTime"], datetime.datetime)
    assert len(desc["Shards"]) >= 1
    shard = desc["Shards"][0]
    assert re.fullmatch(r"shardId-[0-9A-Za-z-]+", shard["ShardId"])
    assert "StartingSequenceNumber" in shard["SequenceNumberRange"]
    # ARN: arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label>
    # (DynamoDB Local puts "ddblocal" where the region goes.)
    assert re.fullmatch(r"arn:aws:dynamodb:[a-z0-9-]+:\d{12}:table/%s/stream/.+" % re.escape(t), arn)


def test_describe_stream_shard_filter(ddb, streams, raw, make_table):
    # ShardFilter CHILD_SHARDS lists the children of a shard: none for a
    # shard that has not split (boto3 1.26 predates it: raw JSON).
    t = stream_table(make_table, "KEYS_ONLY")
    arn, desc = shard_of(ddb, streams, t)
    shard = desc["Shards"][0]["ShardId"]

    def describe(f):
        return raw("DynamoDBStreams_20120810.DescribeStream", {"StreamArn": arn, "ShardFilter": f})

    for f in ({"Type": "CHILD_SHARDS", "ShardId": shard}, {"Type": "CHILD_SHARDS"}):
        st, _, out = describe(f)
        assert st == 200, out
        assert out["StreamDescription"]["Shards"] == []
        assert out["StreamDescription"]["StreamArn"] == arn
    st, _, out = describe({"ShardId": shard})
    assert st == 400 and out["__type"].endswith("#ValidationException")
    assert (out.get("message") or out.get("Message")) == (
        "1 validation error detected: Value 'null' at 'shardFilter.type' failed to satisfy constraint: "
        "Member must be CHILD_SHARDS")
    st, _, out = describe({"Type": "CHILD_SHARDS", "ShardId": "shardId-short"})
    assert st == 400 and out["__type"].endswith("#ValidationException")
    assert (out.get("message") or out.get("Message")) == (
        "1 validation error detected: Value 'shardId-short' at 'shardFilter.shardId' failed to satisfy "
        "constraint: Member must have length greater than or equal to 28")


def test_record_shapes_new_and_old(server, ddb, streams, make_table):
    t = stream_table(make_table, "NEW_AND_OLD_IMAGES")
    write_history(ddb, t)
    arn, desc = shard_of(ddb, streams, t)
    recs = records(streams, arn, desc["Shards"][0]["ShardId"])
    assert [r["eventName"] for r in recs] == ["INSERT", "MODIFY", "REMOVE", "INSERT"]
    seqs = [int(r["dynamodb"]["SequenceNumber"]) for r in recs]
    assert seqs == sorted(seqs) and len(set(seqs)) == 4
    for r in recs:
        assert r["eventSource"] == "aws:dynamodb" and r["eventVersion"] == "1.1"
        assert re.fullmatch(r"[0-9a-f]{32}|[0-9a-f-]{36}", r["eventID"]), r["eventID"]
        assert r["awsRegion"] in ("us-east-1", "ddblocal")
        d = r["dynamodb"]
        assert d["Keys"] == K and d["StreamViewType"] == "NEW_AND_OLD_IMAGES"
        assert isinstance(d["ApproximateCreationDateTime"], datetime.datetime)
        assert isinstance(d["SizeBytes"], int) and d["SizeBytes"] > 0
        assert re.fullmatch(r"\d+", d["SequenceNumber"])
    ins, mod, rem, ins2 = (r["dynamodb"] for r in recs)
    assert ins["NewImage"] == dict(K, v={"N": "1"}) and "OldImage" not in ins
    assert mod["OldImage"] == dict(K, v={"N": "1"}) and mod["NewImage"] == dict(K, v={"N": "2"})
    assert rem["OldImage"] == dict(K, v={"N": "2"}) and "NewImage" not in rem
    assert ins2["NewImage"] == dict(K, v={"N": "3"})


@pytest.mark.parametrize("view", ["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE"])
def test_view_types(ddb, streams, make_table, view):
    t = stream_table(make_table, view)
    write_history(ddb, t)
    arn, desc = shard_of(ddb, streams, t)
    recs = [r["dynamodb"] for r in records(streams, arn, desc["Shards"][0]["ShardId"])]
    assert [d["StreamViewType"] for d in recs] == [view] * 4
    has_new = [("NewImage" in d) for d in recs]
    has_old = [("OldImage" in d) for d in recs]
    if view == "KEYS_ONLY":
        assert not any(has_new) and not any(has_old)
    elif view == "NEW_IMAGE":
        assert has_new == [True, True, False, True] and not any(has_old)
    else:
        assert has_old == [False, True, True, False] and not any(has_new)


def test_iterator_types(ddb, streams, make_table):
    t = stream_table(make_table, "KEYS_ONLY")
    for i in range(5):
        ddb.put_item(TableName=t, Item={"pk": {"S": "k%d" % i}, "sk": {"S": "1"}})
    arn, desc = shard_of(ddb, streams, t)
    shard = desc["Shards"][0]["ShardId"]
    recs = records(streams, arn, shard)
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in recs] == ["k0", "k1", "k2", "k3", "k4"]
    seq2 = recs[2]["dynamodb"]["SequenceNumber"]
    at = records(streams, arn, shard, "AT_SEQUENCE_NUMBER", seq2)
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in at] == ["k2", "k3", "k4"]
    after = records(streams, arn, shard, "AFTER_SEQUENCE_NUMBER", seq2)
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in after] == ["k3", "k4"]
    latest = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="LATEST")["ShardIterator"]
    page = streams.get_records(ShardIterator=latest)
    assert page["Records"] == []
    ddb.put_item(TableName=t, Item={"pk": {"S": "k5"}, "sk": {"S": "1"}})
    page = streams.get_records(ShardIterator=page["NextShardIterator"])
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in page["Records"]] == ["k5"]
    # Limit
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    page = streams.get_records(ShardIterator=it, Limit=2)
    assert len(page["Records"]) == 2
    page = streams.get_records(ShardIterator=page["NextShardIterator"], Limit=10)
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in page["Records"]] == ["k2", "k3", "k4", "k5"]


def test_stream_errors(server, ddb, streams, make_table):
    t = stream_table(make_table, "KEYS_ONLY")
    arn, desc = shard_of(ddb, streams, t)
    shard = desc["Shards"][0]["ShardId"]
    code, _, _ = error_of(streams.describe_stream, StreamArn=arn[:-5] + "XXXXX")
    assert code in ("ResourceNotFoundException", "ValidationException")
    code, _, _ = error_of(streams.get_shard_iterator, StreamArn=arn, ShardId="shardId-00000000000000000000-00000000",
                          ShardIteratorType="TRIM_HORIZON")
    assert code in ("ResourceNotFoundException", "ValidationException")
    code, _, _ = error_of(streams.get_shard_iterator, StreamArn=arn, ShardId=shard,
                          ShardIteratorType="AT_SEQUENCE_NUMBER")
    assert code == "ValidationException"
    code, _, _ = error_of(streams.get_records, ShardIterator="garbage-iterator-" + "x" * 40)
    assert code in ("ValidationException", "ExpiredIteratorException")
    # A table without a stream lists none.
    plain = make_table("nost")
    assert streams.list_streams(TableName=plain)["Streams"] == []


def test_noop_write_emits_no_record(ddb, streams, make_table):
    # Developer guide (change data capture for DynamoDB Streams): a PutItem or
    # UpdateItem that changes no data in the item writes no stream record.
    t = stream_table(make_table, "NEW_AND_OLD_IMAGES")
    item = dict(K, v={"N": "1"}, s={"SS": ["a"]})
    ddb.put_item(TableName=t, Item=item)
    ddb.put_item(TableName=t, Item=item)
    ddb.update_item(TableName=t, Key=K, UpdateExpression="SET v = :one DELETE s :zz",
                    ExpressionAttributeValues={":one": {"N": "1.0"}, ":zz": {"SS": ["zz"]}})
    arn, desc = shard_of(ddb, streams, t)
    recs = records(streams, arn, desc["Shards"][0]["ShardId"])
    assert [r["eventName"] for r in recs] == ["INSERT"]


def test_disable_stream_keeps_old_stream_readable(server, ddb, streams, make_table):
    t = stream_table(make_table, "KEYS_ONLY")
    ddb.put_item(TableName=t, Item=K)
    arn, desc = shard_of(ddb, streams, t)
    ddb.update_table(TableName=t, StreamSpecification={"StreamEnabled": False})
    d = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    assert d["StreamStatus"] in ("DISABLING", "DISABLED")
    recs = records(streams, arn, d["Shards"][0]["ShardId"])
    assert [r["eventName"] for r in recs] == ["INSERT"]
    ddb.put_item(TableName=t, Item={"pk": {"S": "b"}, "sk": {"S": "1"}})
    recs = records(streams, arn, d["Shards"][0]["ShardId"])
    assert len(recs) == 1
