// @aws-sdk/lib-dynamodb's document client against cruddur and DynamoDB
// Local 3.3.1 (harness.mjs): native JavaScript values in and out, its
// marshalling options (removeUndefinedValues, convertEmptyValues,
// convertClassInstanceToMap, wrapNumbers) and its paginators.
import { CreateTableCommand } from "@aws-sdk/client-dynamodb";
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  NumberValue,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  paginateQuery,
  paginateScan,
} from "@aws-sdk/lib-dynamodb";
import { both, makeDoc, outcome, withoutEmptyLastPage } from "./harness.mjs";

/** A table keyed by id (S) and n (N). */
function createTable(client, name) {
  return client.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [
        { AttributeName: "id", AttributeType: "S" },
        { AttributeName: "n", AttributeType: "N" },
      ],
      KeySchema: [
        { AttributeName: "id", KeyType: "HASH" },
        { AttributeName: "n", KeyType: "RANGE" },
      ],
    }),
  );
}

/** Runs fn with a document client made with `options`, then closes it. */
async function withDoc(endpoint, options, fn) {
  const doc = makeDoc(endpoint, options);
  try {
    return await fn(doc);
  } finally {
    doc.destroy();
  }
}

class Point {
  constructor(x, y) {
    this.x = x;
    this.y = y;
  }
}

both("native values round-trip: sets, binary, nested maps and lists", async ({ endpoint, client }) => {
  await createTable(client, "doc_values");
  return withDoc(endpoint, {}, async (doc) => {
    const t = [];
    const item = {
      id: "a",
      n: 1,
      name: "Ada",
      tags: new Set(["z", "b", "m"]),
      scores: new Set([3, 1, 2.5]),
      blob: Uint8Array.from([1, 2, 3]),
      blobs: new Set([Uint8Array.from([7]), Uint8Array.from([0, 1])]),
      nested: { list: [1, "two", null, true, { deep: [] }], empty: {} },
      flag: false,
      nothing: null,
    };
    t.push(await outcome(doc.send(new PutCommand({ TableName: "doc_values", Item: item }))));
    t.push(await outcome(doc.send(new GetCommand({ TableName: "doc_values", Key: { id: "a", n: 1 } }))));
    t.push(
      await outcome(
        doc.send(
          new UpdateCommand({
            TableName: "doc_values",
            Key: { id: "a", n: 1 },
            UpdateExpression: "ADD tags :t, scores :s DELETE blobs :b SET nested.list[1] = :v",
            ExpressionAttributeValues: {
              ":t": new Set(["a", "y"]),
              ":s": new Set([10]),
              ":b": new Set([Uint8Array.from([7])]),
              ":v": "TWO",
            },
            ReturnValues: "ALL_NEW",
          }),
        ),
      ),
    );
    t.push(await outcome(doc.send(new PutCommand({ TableName: "doc_values", Item: { id: "a", n: 2, tags: new Set() } }))));
    return t;
  });
});

both("marshalling options: undefined, empty values, class instances", async ({ endpoint, client }) => {
  await createTable(client, "doc_options");
  const t = [];
  // Without removeUndefinedValues the client refuses before sending.
  t.push(
    await withDoc(endpoint, {}, (doc) =>
      outcome(doc.send(new PutCommand({ TableName: "doc_options", Item: { id: "u", n: 1, gone: undefined } }))),
    ),
  );
  await withDoc(
    endpoint,
    { marshallOptions: { removeUndefinedValues: true, convertEmptyValues: true, convertClassInstanceToMap: true } },
    async (doc) => {
      t.push(
        await outcome(
          doc.send(
            new PutCommand({
              TableName: "doc_options",
              Item: { id: "u", n: 1, gone: undefined, empty: "", where: new Point(1, 2), list: [undefined, 3] },
            }),
          ),
        ),
      );
      t.push(await outcome(doc.send(new GetCommand({ TableName: "doc_options", Key: { id: "u", n: 1 } }))));
    },
  );
  await withDoc(endpoint, { marshallOptions: { convertEmptyValues: false } }, async (doc) => {
    // An empty string is a value of its own outside keys, refused in a key.
    t.push(await outcome(doc.send(new PutCommand({ TableName: "doc_options", Item: { id: "e", n: 1, s: "", b: new Uint8Array() } }))));
    t.push(await outcome(doc.send(new GetCommand({ TableName: "doc_options", Key: { id: "e", n: 1 } }))));
    t.push(await outcome(doc.send(new PutCommand({ TableName: "doc_options", Item: { id: "", n: 1 } }))));
  });
  return t;
});

both("wrapNumbers keeps 38 digits; plain numbers round-trip", async ({ endpoint, client }) => {
  await createTable(client, "doc_numbers");
  const t = [];
  const big = "12345678901234567890123456789012345678";
  await withDoc(endpoint, { unmarshallOptions: { wrapNumbers: true } }, async (doc) => {
    t.push(
      await outcome(
        doc.send(
          new PutCommand({
            TableName: "doc_numbers",
            Item: {
              id: "w",
              n: NumberValue.from("1.50"),
              big: NumberValue.from(big),
              tiny: NumberValue.from("-0.000000000000000000000000000000000001"),
              inList: [NumberValue.from("100.000"), 7],
            },
          }),
        ),
      ),
    );
    t.push(await outcome(doc.send(new GetCommand({ TableName: "doc_numbers", Key: { id: "w", n: NumberValue.from("1.5") } }))));
    t.push(
      await outcome(
        doc.send(
          new UpdateCommand({
            TableName: "doc_numbers",
            Key: { id: "w", n: 1.5 },
            UpdateExpression: "SET big = big + :one",
            ExpressionAttributeValues: { ":one": 1 },
            ReturnValues: "UPDATED_NEW",
          }),
        ),
      ),
    );
    t.push(
      await outcome(
        doc.send(
          new PutCommand({ TableName: "doc_numbers", Item: { id: "w", n: 2, over: NumberValue.from("1" + "0".repeat(38) + "1") } }),
        ),
      ),
    );
  });
  return t;
});

both("paginators, conditions, batches and transactions", async ({ endpoint, client }) => {
  await createTable(client, "doc_pages");
  return withDoc(endpoint, {}, async (doc) => {
    const t = [];
    const puts = [];
    for (let i = 0; i < 30; i++) puts.push({ PutRequest: { Item: { id: "p" + (i % 3), n: i, even: i % 2 === 0, label: "item " + i } } });
    t.push(await outcome(doc.send(new BatchWriteCommand({ RequestItems: { doc_pages: puts.slice(0, 25) } }))));
    t.push(await outcome(doc.send(new BatchWriteCommand({ RequestItems: { doc_pages: puts.slice(25) } }))));
    const pages = [];
    for await (const page of paginateQuery(
      { client: doc, pageSize: 3 },
      {
        TableName: "doc_pages",
        KeyConditionExpression: "id = :id AND n > :n",
        FilterExpression: "even = :t",
        ExpressionAttributeValues: { ":id": "p1", ":n": 4, ":t": true },
        ScanIndexForward: false,
      },
    )) {
      pages.push({ Items: page.Items, Count: page.Count, ScannedCount: page.ScannedCount, Last: page.LastEvaluatedKey });
    }
    t.push(withoutEmptyLastPage(pages));
    const scanned = [];
    for await (const page of paginateScan({ client: doc, pageSize: 8 }, { TableName: "doc_pages", Segment: 1, TotalSegments: 2 })) {
      scanned.push({ Items: page.Items, Last: page.LastEvaluatedKey });
    }
    t.push(scanned);
    const got = await outcome(
      doc.send(
        new BatchGetCommand({
          RequestItems: { doc_pages: { Keys: [{ id: "p0", n: 0 }, { id: "p2", n: 29 }, { id: "p1", n: 1 }], ConsistentRead: true } },
        }),
      ),
    );
    // BatchGetItem's answer lists the items in no documented order: compared sorted.
    got.ok?.Responses?.doc_pages?.sort((a, b) => a.n - b.n);
    t.push(got);
    t.push(
      await outcome(
        doc.send(
          new PutCommand({
            TableName: "doc_pages",
            Item: { id: "p0", n: 0, label: "again" },
            ConditionExpression: "attribute_not_exists(id)",
            ReturnValuesOnConditionCheckFailure: "ALL_OLD",
          }),
        ),
      ),
    );
    t.push(
      await outcome(
        doc.send(
          new TransactWriteCommand({
            TransactItems: [
              { Update: { TableName: "doc_pages", Key: { id: "p0", n: 0 }, UpdateExpression: "SET label = :l", ExpressionAttributeValues: { ":l": "changed" } } },
              { ConditionCheck: { TableName: "doc_pages", Key: { id: "p1", n: 1 }, ConditionExpression: "even = :f", ExpressionAttributeValues: { ":f": false } } },
              { Delete: { TableName: "doc_pages", Key: { id: "p2", n: 2 }, ReturnValuesOnConditionCheckFailure: "ALL_OLD", ConditionExpression: "label = :x", ExpressionAttributeValues: { ":x": "item 2" } } },
            ],
          }),
        ),
      ),
    );
    // the item the transaction updated: answered in the order DynamoDB
    // Local keeps it, not the one a read shows (FINDINGS.md)
    t.push(
      await outcome(
        doc.send(
          new DeleteCommand({
            TableName: "doc_pages",
            Key: { id: "p0", n: 0 },
            ConditionExpression: "label = :x",
            ExpressionAttributeValues: { ":x": "nope" },
            ReturnValuesOnConditionCheckFailure: "ALL_OLD",
          }),
        ),
      ),
    );
    t.push(await outcome(doc.send(new QueryCommand({ TableName: "doc_pages", KeyConditionExpression: "id = :id", ExpressionAttributeValues: { ":id": "p2" }, Select: "COUNT" }))));
    return t;
  });
});
