// @aws-sdk/client-dynamodb against cruddur and DynamoDB Local 3.3.1: the
// same calls, the same answers (harness.mjs). Each scenario uses tables of
// its own, named after it.
import {
  BatchExecuteStatementCommand,
  BatchGetItemCommand,
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteItemCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  ExecuteStatementCommand,
  ExecuteTransactionCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  TransactGetItemsCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  paginateQuery,
  paginateScan,
} from "@aws-sdk/client-dynamodb";
import { both, outcome, withoutEmptyLastPage } from "./harness.mjs";

const S = (s) => ({ S: s });
const N = (n) => ({ N: String(n) });

/** pk (S) + sk (N) table, with a GSI on g/gs and an LSI on pk/ls. */
function createTable(client, name, extra = {}) {
  return client.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [
        { AttributeName: "pk", AttributeType: "S" },
        { AttributeName: "sk", AttributeType: "N" },
        { AttributeName: "g", AttributeType: "S" },
        { AttributeName: "gs", AttributeType: "N" },
        { AttributeName: "ls", AttributeType: "S" },
      ],
      KeySchema: [
        { AttributeName: "pk", KeyType: "HASH" },
        { AttributeName: "sk", KeyType: "RANGE" },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: "byG",
          KeySchema: [
            { AttributeName: "g", KeyType: "HASH" },
            { AttributeName: "gs", KeyType: "RANGE" },
          ],
          Projection: { ProjectionType: "INCLUDE", NonKeyAttributes: ["v"] },
        },
      ],
      LocalSecondaryIndexes: [
        {
          IndexName: "byLs",
          KeySchema: [
            { AttributeName: "pk", KeyType: "HASH" },
            { AttributeName: "ls", KeyType: "RANGE" },
          ],
          Projection: { ProjectionType: "KEYS_ONLY" },
        },
      ],
      ...extra,
    }),
  );
}

/** All pages of a paginator (each page's items and LastEvaluatedKey), then its error if one ends it. */
async function pages(paginator) {
  const out = [];
  const r = await outcome(
    (async () => {
      for await (const page of paginator) {
        out.push({ Items: page.Items, Count: page.Count, ScannedCount: page.ScannedCount, Last: page.LastEvaluatedKey });
      }
    })(),
  );
  if (r.error) return [...out, r];
  return withoutEmptyLastPage(out);
}

both("CreateTable and DescribeTable with a GSI and an LSI", async ({ name, client }) => {
  const t = [];
  t.push(await outcome(createTable(client, "sdk_describe")));
  t.push(await outcome(client.send(new DescribeTableCommand({ TableName: "sdk_describe" }))));
  t.push(await outcome(createTable(client, "sdk_describe")));
  t.push(await outcome(client.send(new DescribeTableCommand({ TableName: "sdk_missing" }))));
  const deleted = await outcome(client.send(new DeleteTableCommand({ TableName: "sdk_describe" })));
  // DynamoDB answers DeleteTable with the status DELETING; 3.3.1 says ACTIVE
  // (FINDINGS.md), cruddur follows the documentation.
  if (name === "ddblocal" && deleted.ok?.TableDescription?.TableStatus === "ACTIVE") {
    deleted.ok.TableDescription.TableStatus = "DELETING";
  }
  t.push(deleted);
  return t;
});

both("every attribute type round-trips through PutItem and GetItem", async ({ client }) => {
  await createTable(client, "sdk_types");
  const item = {
    pk: S("types"),
    sk: N(1),
    s: S("text ünïcode"),
    n: N("-12.500"),
    big: N("123456789012345678901234567890.5"),
    b: { B: Uint8Array.from([0, 1, 2, 250]) },
    ss: { SS: ["pear", "apple", "fig"] },
    ns: { NS: ["10", "-2", "3.5"] },
    bs: { BS: [Uint8Array.from([9]), Uint8Array.from([1, 2])] },
    m: { M: { z: N("1.0"), a: { L: [S("x"), N(2), { NULL: true }] }, e: S("") } },
    l: { L: [{ BOOL: false }, { M: {} }, { L: [] }] },
    t: { BOOL: true },
    nul: { NULL: true },
  };
  const t = [];
  t.push(await outcome(client.send(new PutItemCommand({ TableName: "sdk_types", Item: item }))));
  t.push(await outcome(client.send(new GetItemCommand({ TableName: "sdk_types", Key: { pk: S("types"), sk: N(1) } }))));
  t.push(
    await outcome(
      client.send(
        new GetItemCommand({
          TableName: "sdk_types",
          Key: { pk: S("types"), sk: N(1) },
          ProjectionExpression: "#m.a[1], ss, nul, #m.z",
          ExpressionAttributeNames: { "#m": "m" },
          ConsistentRead: true,
        }),
      ),
    ),
  );
  t.push(
    await outcome(
      client.send(new PutItemCommand({ TableName: "sdk_types", Item: { ...item, s: S("second") }, ReturnValues: "ALL_OLD" })),
    ),
  );
  return t;
});

both("UpdateItem: return values, set arithmetic, list appends, conditions", async ({ client }) => {
  await createTable(client, "sdk_update");
  const key = { pk: S("u"), sk: N(1) };
  const t = [];
  const update = (input) => outcome(client.send(new UpdateItemCommand({ TableName: "sdk_update", Key: key, ...input })));
  t.push(
    await update({
      UpdateExpression: "SET c = :zero, tags = :tags, l = :l",
      ExpressionAttributeValues: { ":zero": N(0), ":tags": { SS: ["two", "three"] }, ":l": { L: [N(1), N(3)] } },
      ReturnValues: "ALL_NEW",
    }),
  );
  t.push(
    await update({
      UpdateExpression: "ADD c :one, tags :more SET l = list_append(l, :tail), l[1] = :y REMOVE nothing",
      ExpressionAttributeValues: { ":one": N(1), ":more": { SS: ["four", "one"] }, ":tail": { L: [N(5)] }, ":y": S("y") },
      ReturnValues: "UPDATED_NEW",
    }),
  );
  t.push(
    await update({
      UpdateExpression: "DELETE tags :gone SET c = c + :ten",
      ExpressionAttributeValues: { ":gone": { SS: ["three", "absent"] }, ":ten": N(10) },
      ReturnValues: "UPDATED_OLD",
    }),
  );
  t.push(
    await update({
      UpdateExpression: "SET c = :x",
      ConditionExpression: "c < :limit",
      ExpressionAttributeValues: { ":x": N(99), ":limit": N(5) },
      ReturnValuesOnConditionCheckFailure: "ALL_OLD",
    }),
  );
  t.push(
    await update({
      UpdateExpression: "SET #n = if_not_exists(#n, :d), m = :m",
      ExpressionAttributeNames: { "#n": "name" },
      ExpressionAttributeValues: { ":d": S("dflt"), ":m": { M: { b: N(2), a: N(1) } } },
      ReturnValues: "ALL_NEW",
    }),
  );
  t.push(await update({ UpdateExpression: "SET sk = :v", ExpressionAttributeValues: { ":v": N(2) } }));
  t.push(await update({ UpdateExpression: "SET a = :v, a = :v", ExpressionAttributeValues: { ":v": N(2) } }));
  t.push(await update({ UpdateExpression: "SET a = :missing" }));
  t.push(await update({ UpdateExpression: "ADD c :s", ExpressionAttributeValues: { ":s": S("x") } }));
  t.push(await outcome(client.send(new GetItemCommand({ TableName: "sdk_update", Key: key }))));
  return t;
});

both("DeleteItem with a condition and ALL_OLD", async ({ client }) => {
  await createTable(client, "sdk_delete");
  const key = { pk: S("d"), sk: N(1) };
  const t = [];
  await client.send(new PutItemCommand({ TableName: "sdk_delete", Item: { ...key, v: N(7) } }));
  t.push(
    await outcome(
      client.send(
        new DeleteItemCommand({
          TableName: "sdk_delete",
          Key: key,
          ConditionExpression: "v = :w",
          ExpressionAttributeValues: { ":w": N(8) },
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        }),
      ),
    ),
  );
  t.push(
    await outcome(
      client.send(
        new DeleteItemCommand({
          TableName: "sdk_delete",
          Key: key,
          ConditionExpression: "attribute_exists(v)",
          ReturnValues: "ALL_OLD",
        }),
      ),
    ),
  );
  t.push(await outcome(client.send(new DeleteItemCommand({ TableName: "sdk_delete", Key: key, ReturnValues: "ALL_OLD" }))));
  t.push(await outcome(client.send(new DeleteItemCommand({ TableName: "sdk_delete", Key: { pk: S("d") } }))));
  return t;
});

/** 25 items in two partitions, with GSI and LSI keys. */
async function fill(client, name) {
  const requests = [];
  for (let i = 0; i < 25; i++) {
    requests.push({
      PutRequest: {
        Item: {
          pk: S(i % 2 ? "odd" : "even"),
          sk: N(i),
          g: S(i % 3 ? "g1" : "g0"),
          gs: N(i % 4),
          ls: S("ls" + ((i * 7) % 5)),
          v: N(i * 10),
          other: S("o" + i),
        },
      },
    });
  }
  const t = [];
  t.push(await outcome(client.send(new BatchWriteItemCommand({ RequestItems: { [name]: requests.slice(0, 25) } }))));
  return t;
}

both("Query: paging, direction, filters, indexes, Select COUNT", async ({ client }) => {
  await createTable(client, "sdk_query");
  const t = await fill(client, "sdk_query");
  t.push(
    await pages(
      paginateQuery(
        { client, pageSize: 4 },
        {
          TableName: "sdk_query",
          KeyConditionExpression: "pk = :p AND sk BETWEEN :a AND :b",
          ExpressionAttributeValues: { ":p": S("even"), ":a": N(2), ":b": N(20) },
          ScanIndexForward: false,
        },
      ),
    ),
  );
  t.push(
    await pages(
      paginateQuery(
        { client, pageSize: 3 },
        {
          TableName: "sdk_query",
          KeyConditionExpression: "pk = :p",
          FilterExpression: "v > :v AND begins_with(#o, :o)",
          ExpressionAttributeNames: { "#o": "other" },
          ExpressionAttributeValues: { ":p": S("odd"), ":v": N(50), ":o": S("o1") },
          ProjectionExpression: "sk, v",
        },
      ),
    ),
  );
  const byG = await pages(
    paginateQuery(
      { client, pageSize: 5 },
      {
        TableName: "sdk_query",
        IndexName: "byG",
        KeyConditionExpression: "g = :g AND gs >= :s",
        ExpressionAttributeValues: { ":g": S("g1"), ":s": N(1) },
      },
    ),
  );
  t.push(byG);
  t.push(
      await pages(
        paginateQuery(
          { client, pageSize: 4 },
          {
            TableName: "sdk_query",
            IndexName: "byLs",
            KeyConditionExpression: "pk = :p AND begins_with(ls, :l)",
            ExpressionAttributeValues: { ":p": S("even"), ":l": S("ls") },
            ScanIndexForward: false,
          },
        ),
      ),
  );
  t.push(
    await outcome(
      client.send(
        new QueryCommand({
          TableName: "sdk_query",
          KeyConditionExpression: "pk = :p",
          ExpressionAttributeValues: { ":p": S("odd") },
          Select: "COUNT",
        }),
      ),
    ),
  );
  t.push(
    await outcome(
      client.send(
        new QueryCommand({
          TableName: "sdk_query",
          IndexName: "byG",
          KeyConditionExpression: "g = :g",
          ExpressionAttributeValues: { ":g": S("g0") },
          Select: "ALL_ATTRIBUTES",
        }),
      ),
    ),
  );
  t.push(
    await outcome(
      client.send(
        new QueryCommand({
          TableName: "sdk_query",
          KeyConditionExpression: "sk = :s",
          ExpressionAttributeValues: { ":s": N(1) },
        }),
      ),
    ),
  );
  return t;
});

both("Queries that stop at their Limit on the far bound of their key condition", async ({ client }) => {
  await createTable(client, "sdk_limit");
  const t = await fill(client, "sdk_limit");
  // Each Query, then the pages after it, compared as withoutEmptyLastPage sees them.
  const q = (input) =>
    pages(paginateQuery({ client, pageSize: input.Limit }, { TableName: "sdk_limit", ProjectionExpression: "sk", ...input }));
  const odd = { ":p": S("odd") };
  // odd sort keys: 1, 3, 5, ..., 23
  for (const [kce, values, forward, limit] of [
    ["pk = :p AND sk BETWEEN :a AND :b", { ":a": N(3), ":b": N(7) }, true, 3],
    ["pk = :p AND sk BETWEEN :a AND :b", { ":a": N(3), ":b": N("7.0") }, false, 3],
    ["pk = :p AND sk BETWEEN :a AND :b", { ":a": N(3), ":b": N(7) }, true, 2],
    ["pk = :p AND sk BETWEEN :a AND :b", { ":a": N(2), ":b": N(8) }, true, 3],
    ["pk = :p AND sk BETWEEN :a AND :b", { ":a": N(5), ":b": N(5) }, true, 1],
    ["pk = :p AND sk <= :a", { ":a": N(7) }, true, 4],
    ["pk = :p AND sk <= :a", { ":a": N(7) }, false, 4],
    ["pk = :p AND sk < :a", { ":a": N(9) }, true, 4],
    ["pk = :p AND sk >= :a", { ":a": N(17) }, false, 4],
    ["pk = :p AND sk > :a", { ":a": N(15) }, false, 4],
    ["pk = :p AND sk = :a", { ":a": N(5) }, true, 1],
    ["pk = :p", {}, true, 12],
  ]) {
    t.push(await q({ KeyConditionExpression: kce, ExpressionAttributeValues: { ...odd, ...values }, ScanIndexForward: forward, Limit: limit }));
  }
  // With a filter the rule looks at the last item read, not the last returned.
  t.push(
    await q({
      KeyConditionExpression: "pk = :p AND sk BETWEEN :a AND :b",
      FilterExpression: "v < :v",
      ExpressionAttributeValues: { ...odd, ":a": N(3), ":b": N(7), ":v": N(70) },
      Limit: 3,
    }),
  );
  // An index Query keeps its LastEvaluatedKey (its keys need not be unique).
  t.push(
    await q({
      IndexName: "byLs",
      KeyConditionExpression: "pk = :p AND ls BETWEEN :a AND :b",
      ExpressionAttributeValues: { ":p": S("even"), ":a": S("ls0"), ":b": S("ls1") },
      ProjectionExpression: undefined,
      Limit: 5,
    }),
  );
  return t;
});

both("Scan: pages, parallel segments, filters", async ({ client }) => {
  await createTable(client, "sdk_scan");
  const t = await fill(client, "sdk_scan");
  t.push(await pages(paginateScan({ client, pageSize: 7 }, { TableName: "sdk_scan" })));
  for (let segment = 0; segment < 3; segment++) {
    const seg = await pages(
      paginateScan(
        { client, pageSize: 4 },
        { TableName: "sdk_scan", Segment: segment, TotalSegments: 3, ProjectionExpression: "pk, sk" },
      ),
    );
    t.push(seg);
  }
  t.push(
      await pages(
        paginateScan(
          { client, pageSize: 6 },
          {
            TableName: "sdk_scan",
            IndexName: "byG",
            FilterExpression: "gs IN (:a, :b)",
            ExpressionAttributeValues: { ":a": N(0), ":b": N(3) },
          },
        ),
      ),
  );
  t.push(await outcome(client.send(new ScanCommand({ TableName: "sdk_scan", Segment: 3, TotalSegments: 3 }))));
  return t;
});

both("BatchGetItem and BatchWriteItem, including their errors", async ({ client }) => {
  await createTable(client, "sdk_batch");
  const t = await fill(client, "sdk_batch");
  const keys = [3, 8, 0, 99].map((i) => ({ pk: S(i % 2 ? "odd" : "even"), sk: N(i) }));
  const got = await outcome(
    client.send(new BatchGetItemCommand({ RequestItems: { sdk_batch: { Keys: keys, ProjectionExpression: "sk, v" } } })),
  );
  // BatchGetItem's answer lists the items in no documented order: compared sorted.
  got.ok?.Responses?.sdk_batch?.sort((a, b) => Number(a.sk.N) - Number(b.sk.N));
  t.push(got);
  t.push(
    await outcome(
      client.send(new BatchGetItemCommand({ RequestItems: { sdk_batch: { Keys: [keys[0], keys[0]] } } })),
    ),
  );
  t.push(
    await outcome(
      client.send(
        new BatchWriteItemCommand({
          RequestItems: {
            sdk_batch: [
              { DeleteRequest: { Key: keys[0] } },
              { PutRequest: { Item: { ...keys[0], v: N(1) } } },
            ],
          },
        }),
      ),
    ),
  );
  t.push(
    await outcome(
      client.send(
        new BatchWriteItemCommand({
          RequestItems: { sdk_batch: [{ DeleteRequest: { Key: keys[1] } }, { PutRequest: { Item: { ...keys[2], w: S("new") } } }] },
        }),
      ),
    ),
  );
  t.push(await outcome(client.send(new BatchWriteItemCommand({ RequestItems: { sdk_nope: [{ DeleteRequest: { Key: keys[1] } }] } }))));
  t.push(await outcome(client.send(new GetItemCommand({ TableName: "sdk_batch", Key: keys[2] }))));
  t.push(await outcome(client.send(new GetItemCommand({ TableName: "sdk_batch", Key: keys[1] }))));
  return t;
});

both("TransactWriteItems and TransactGetItems: cancellation reasons, idempotency tokens", async ({ client }) => {
  await createTable(client, "sdk_txn");
  const key = (i) => ({ pk: S("t"), sk: N(i) });
  const t = [];
  const write = (input) => outcome(client.send(new TransactWriteItemsCommand(input)));
  const first = {
    ClientRequestToken: "token-one",
    TransactItems: [
      { Put: { TableName: "sdk_txn", Item: { ...key(1), n: N(1) }, ConditionExpression: "attribute_not_exists(pk)" } },
      { Update: { TableName: "sdk_txn", Key: key(2), UpdateExpression: "ADD n :one", ExpressionAttributeValues: { ":one": N(1) } } },
    ],
  };
  t.push(await write(first));
  // The same token and parameters again: applied once only.
  t.push(await write(first));
  t.push(await outcome(client.send(new GetItemCommand({ TableName: "sdk_txn", Key: key(2) }))));
  t.push(await write({ ...first, TransactItems: first.TransactItems.slice(1) }));
  t.push(
    await write({
      TransactItems: [
        { ConditionCheck: { TableName: "sdk_txn", Key: key(1), ConditionExpression: "n = :two", ExpressionAttributeValues: { ":two": N(2) }, ReturnValuesOnConditionCheckFailure: "ALL_OLD" } },
        { Delete: { TableName: "sdk_txn", Key: key(2) } },
        { Put: { TableName: "sdk_txn", Item: { ...key(3) }, ConditionExpression: "attribute_exists(pk)" } },
      ],
    }),
  );
  t.push(
    await write({
      TransactItems: [
        { Put: { TableName: "sdk_txn", Item: key(4) } },
        { Delete: { TableName: "sdk_txn", Key: key(4) } },
      ],
    }),
  );
  t.push(await write({ TransactItems: [{ Put: { TableName: "sdk_nope", Item: key(4) } }] }));
  t.push(
    await outcome(
      client.send(
        new TransactGetItemsCommand({
          TransactItems: [
            { Get: { TableName: "sdk_txn", Key: key(1) } },
            { Get: { TableName: "sdk_txn", Key: key(9) } },
            { Get: { TableName: "sdk_txn", Key: key(2), ProjectionExpression: "n" } },
          ],
        }),
      ),
    ),
  );
  return t;
});

both("PartiQL through the SDK: statements, batches, transactions", async ({ client }) => {
  await createTable(client, "sdk_partiql");
  const t = await fill(client, "sdk_partiql");
  const run = (Statement, Parameters, extra = {}) =>
    outcome(client.send(new ExecuteStatementCommand({ Statement, Parameters, ...extra })));
  t.push(await run(`SELECT * FROM "sdk_partiql" WHERE pk = ? AND sk BETWEEN ? AND ?`, [S("odd"), N(3), N(9)]));
  // 3.3.1 fails with a 500 when such a projection leaves out the partition
  // key, and with a Limit returns the first items ascending, sorted
  // descending (FINDINGS.md): neither is asked here.
  t.push(await run(`SELECT pk, sk, v FROM "sdk_partiql" WHERE pk = ? ORDER BY sk DESC`, [S("even")]));
  t.push(await run(`SELECT * FROM "sdk_partiql" WHERE pk = ?`, [S("odd")], { Limit: 5 }));
  t.push(await run(`INSERT INTO "sdk_partiql" VALUE {'pk': ?, 'sk': ?, 'note': ?}`, [S("odd"), N(101), S("new")]));
  t.push(await run(`INSERT INTO "sdk_partiql" VALUE {'pk': ?, 'sk': ?}`, [S("odd"), N(101)]));
  t.push(await run(`UPDATE "sdk_partiql" SET v = v + ? WHERE pk = ? AND sk = ? RETURNING ALL NEW *`, [N(1), S("odd"), N(101)]));
  t.push(await run(`DELETE FROM "sdk_partiql" WHERE pk = ? AND sk = ?`, [S("odd"), N(101)]));
  t.push(await run(`SELECT * FROM "sdk_nope" WHERE pk = ?`, [S("x")]));
  t.push(await run(`SELEKT * FROM "sdk_partiql"`, undefined));
  t.push(
    await outcome(
      client.send(
        new BatchExecuteStatementCommand({
          Statements: [
            { Statement: `SELECT * FROM "sdk_partiql" WHERE pk = ? AND sk = ?`, Parameters: [S("odd"), N(5)] },
            { Statement: `UPDATE "sdk_partiql" SET w = ? WHERE pk = ? AND sk = ?`, Parameters: [S("w"), S("even"), N(4)] },
            { Statement: `INSERT INTO "sdk_partiql" VALUE {'pk': 'even', 'sk': 4}` },
          ],
        }),
      ),
    ),
  );
  t.push(
    await outcome(
      client.send(
        new ExecuteTransactionCommand({
          TransactStatements: [
            { Statement: `UPDATE "sdk_partiql" SET w = ? WHERE pk = ? AND sk = ?`, Parameters: [S("t"), S("even"), N(6)] },
            { Statement: `DELETE FROM "sdk_partiql" WHERE pk = ? AND sk = ? AND v = ?`, Parameters: [S("even"), N(8), N(1)] },
          ],
        }),
      ),
    ),
  );
  return t;
});

both("legacy parameters, table ARNs and a multi-attribute GSI key", async ({ client }) => {
  const t = [];
  t.push(
    await outcome(
      client.send(
        new CreateTableCommand({
          TableName: "sdk_multi",
          BillingMode: "PAY_PER_REQUEST",
          AttributeDefinitions: [
            { AttributeName: "id", AttributeType: "S" },
            { AttributeName: "org", AttributeType: "S" },
            { AttributeName: "team", AttributeType: "S" },
            { AttributeName: "level", AttributeType: "N" },
            { AttributeName: "name", AttributeType: "S" },
          ],
          KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
          GlobalSecondaryIndexes: [
            {
              IndexName: "byOrgTeam",
              KeySchema: [
                { AttributeName: "org", KeyType: "HASH" },
                { AttributeName: "team", KeyType: "HASH" },
                { AttributeName: "level", KeyType: "RANGE" },
                { AttributeName: "name", KeyType: "RANGE" },
              ],
              Projection: { ProjectionType: "ALL" },
            },
          ],
        }),
      ),
    ),
  );
  const people = [];
  for (let i = 0; i < 16; i++) {
    people.push({
      PutRequest: {
        Item: {
          id: S("id" + i),
          org: S(i % 2 ? "o1" : "o2"),
          team: S(["red", "blue"][i % 4 < 2 ? 0 : 1]),
          level: N(i % 3),
          name: S("n" + ((i * 7) % 16)),
        },
      },
    });
  }
  t.push(await outcome(client.send(new BatchWriteItemCommand({ RequestItems: { sdk_multi: people } }))));
  t.push(
    await pages(
      paginateQuery(
        { client, pageSize: 2 },
        {
          TableName: "sdk_multi",
          IndexName: "byOrgTeam",
          KeyConditionExpression: "org = :o AND team = :t AND #l = :l AND #n >= :n",
          ExpressionAttributeNames: { "#l": "level", "#n": "name" },
          ExpressionAttributeValues: { ":o": S("o1"), ":t": S("red"), ":l": N(1), ":n": S("n") },
        },
      ),
    ),
  );
  t.push(
    await pages(
      paginateQuery(
        { client, pageSize: 3 },
        {
          TableName: "sdk_multi",
          IndexName: "byOrgTeam",
          KeyConditionExpression: "org = :o AND team = :t",
          ExpressionAttributeValues: { ":o": S("o2"), ":t": S("blue") },
          ScanIndexForward: false,
        },
      ),
    ),
  );
  t.push(
    await outcome(
      client.send(
        new QueryCommand({
          TableName: "sdk_multi",
          IndexName: "byOrgTeam",
          KeyConditionExpression: "org = :o",
          ExpressionAttributeValues: { ":o": S("o2") },
        }),
      ),
    ),
  );
  // The legacy parameters that older code and libraries still send.
  t.push(
    await outcome(
      client.send(
        new QueryCommand({
          TableName: "sdk_multi",
          IndexName: "byOrgTeam",
          KeyConditions: {
            org: { ComparisonOperator: "EQ", AttributeValueList: [S("o1")] },
            team: { ComparisonOperator: "EQ", AttributeValueList: [S("blue")] },
          },
          QueryFilter: { level: { ComparisonOperator: "GE", AttributeValueList: [N(1)] } },
          AttributesToGet: ["id", "level"],
        }),
      ),
    ),
  );
  t.push(
    await outcome(
      client.send(
        new UpdateItemCommand({
          TableName: "sdk_multi",
          Key: { id: S("id3") },
          AttributeUpdates: { level: { Action: "ADD", Value: N(5) }, extra: { Action: "PUT", Value: { SS: ["b", "a"] } } },
          Expected: { org: { Value: S("o1") } },
          ReturnValues: "ALL_NEW",
        }),
      ),
    ),
  );
  t.push(
    await outcome(
      client.send(
        new PutItemCommand({ TableName: "sdk_multi", Item: { id: S("id3") }, Expected: { org: { ComparisonOperator: "NULL" } } }),
      ),
    ),
  );
  // A table ARN where a name goes (3.3.1's account and region).
  const arn = (await client.send(new DescribeTableCommand({ TableName: "sdk_multi" }))).Table.TableArn;
  t.push(await outcome(client.send(new GetItemCommand({ TableName: arn, Key: { id: S("id3") }, ConsistentRead: true }))));
  t.push(await outcome(client.send(new ScanCommand({ TableName: arn, Limit: 2 }))));
  return t;
});
