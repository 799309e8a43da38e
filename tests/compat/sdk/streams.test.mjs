// @aws-sdk/client-dynamodb-streams against cruddur and DynamoDB Local 3.3.1
// (harness.mjs): a table with a NEW_AND_OLD_IMAGES stream, writes of every
// kind, then DescribeStream, GetShardIterator and GetRecords until the
// shard has nothing more. Stream and shard ids, sequence numbers, event
// ids and times differ by nature and are left out; the records' order,
// names, keys and images are compared.
import { CreateTableCommand, DeleteItemCommand, PutItemCommand, TransactWriteItemsCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from "@aws-sdk/client-dynamodb-streams";
import { both, outcome } from "./harness.mjs";

const S = (s) => ({ S: s });
const N = (n) => ({ N: String(n) });

/**
 * A record without what differs between any two servers (awsRegion: 3.3.1
 * writes "ddblocal", cruddur the region it serves).
 */
function recordShape(r) {
  const { eventID, eventVersion, awsRegion, ...rest } = r;
  const { SequenceNumber, ApproximateCreationDateTime, ...db } = r.dynamodb ?? {};
  return { ...rest, dynamodb: db };
}

both("streams: every kind of write, read back through GetRecords", async ({ endpoint, client }) => {
  const t = [];
  const created = await client.send(
    new CreateTableCommand({
      TableName: "streams_main",
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [
        { AttributeName: "pk", AttributeType: "S" },
        { AttributeName: "sk", AttributeType: "N" },
      ],
      KeySchema: [
        { AttributeName: "pk", KeyType: "HASH" },
        { AttributeName: "sk", KeyType: "RANGE" },
      ],
      StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" },
    }),
  );
  t.push(created.TableDescription.StreamSpecification);
  const key = (i) => ({ pk: S("s"), sk: N(i) });
  const send = (cmd) => outcome(client.send(cmd));
  t.push(await send(new PutItemCommand({ TableName: "streams_main", Item: { ...key(1), a: S("x"), n: N("-1.50"), m: { M: { z: N(1), b: { L: [] } } } } })));
  t.push(await send(new PutItemCommand({ TableName: "streams_main", Item: { ...key(1), a: S("y"), tags: { SS: ["q", "b"] } } })));
  t.push(await send(new UpdateItemCommand({ TableName: "streams_main", Key: key(1), UpdateExpression: "ADD tags :t, c :one REMOVE a", ExpressionAttributeValues: { ":t": { SS: ["a"] }, ":one": N(1) } })));
  // A write that changes nothing gives no record.
  t.push(await send(new UpdateItemCommand({ TableName: "streams_main", Key: key(1), UpdateExpression: "SET c = :one", ExpressionAttributeValues: { ":one": N(1) } })));
  t.push(await send(new UpdateItemCommand({ TableName: "streams_main", Key: key(2), UpdateExpression: "SET v = :v", ExpressionAttributeValues: { ":v": S("new") } })));
  t.push(
    await send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName: "streams_main", Item: { ...key(3), t: { BOOL: true } } } },
          { Delete: { TableName: "streams_main", Key: key(2) } },
        ],
      }),
    ),
  );
  t.push(await send(new DeleteItemCommand({ TableName: "streams_main", Key: key(1) })));
  t.push(await send(new DeleteItemCommand({ TableName: "streams_main", Key: key(9) })));

  const streams = new DynamoDBStreamsClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
    maxAttempts: 1,
  });
  try {
    const arn = created.TableDescription.LatestStreamArn;
    const desc = await streams.send(new DescribeStreamCommand({ StreamArn: arn }));
    const d = desc.StreamDescription;
    t.push({ StreamStatus: d.StreamStatus, StreamViewType: d.StreamViewType, TableName: d.TableName, KeySchema: d.KeySchema, Shards: d.Shards.length });
    const records = [];
    for (const shard of d.Shards) {
      let it = (
        await streams.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: shard.ShardId, ShardIteratorType: "TRIM_HORIZON" }))
      ).ShardIterator;
      // An open shard always gives a next iterator: read until a page is empty.
      for (let pages = 0; it && pages < 20; pages++) {
        const got = await streams.send(new GetRecordsCommand({ ShardIterator: it, Limit: 3 }));
        records.push(...got.Records);
        if (got.Records.length === 0) break;
        it = got.NextShardIterator;
      }
    }
    t.push(records.map(recordShape));
    t.push(await outcome(streams.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: "shardId-nope", ShardIteratorType: "LATEST" }))));
  } finally {
    streams.destroy();
  }
  return t;
});
