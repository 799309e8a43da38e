// dynamodb-toolbox v2 (a library built on the SDK v3 document client)
// against cruddur and DynamoDB Local 3.3.1 (harness.mjs): entities with
// computed keys, conditions, update extensions ($add, $append, $remove...),
// queries with paging on the table, an LSI and a multi-attribute GSI,
// batches and transactions. Timestamps are turned off so that the items
// are the same on both servers.
import { CreateTableCommand } from "@aws-sdk/client-dynamodb";
import {
  $add,
  $append,
  $delete,
  $remove,
  $set,
  $sum,
  BatchGetCommand,
  BatchGetRequest,
  BatchPutRequest,
  BatchDeleteRequest,
  BatchWriteCommand,
  ConditionCheck,
  DeleteItemCommand,
  DeleteTransaction,
  Entity,
  GetItemCommand,
  GetTransaction,
  PutItemCommand,
  PutTransaction,
  QueryCommand,
  ScanCommand,
  Table,
  UpdateItemCommand,
  UpdateTransaction,
  boolean,
  executeBatchGet,
  executeBatchWrite,
  executeTransactGet,
  executeTransactWrite,
  item,
  list,
  map,
  number,
  set,
  string,
} from "dynamodb-toolbox";
import { both, makeDoc, outcome, withoutEmptyLastPage } from "./harness.mjs";

const TABLE = "toolbox_main";

/** The table: pk/sk, an LSI on sk2, and a GSI keyed by (tenant, region) / (status, score). */
function createTable(client) {
  return client.send(
    new CreateTableCommand({
      TableName: TABLE,
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [
        { AttributeName: "pk", AttributeType: "S" },
        { AttributeName: "sk", AttributeType: "S" },
        { AttributeName: "sk2", AttributeType: "S" },
        { AttributeName: "tenant", AttributeType: "S" },
        { AttributeName: "region", AttributeType: "S" },
        { AttributeName: "status", AttributeType: "S" },
        { AttributeName: "score", AttributeType: "N" },
      ],
      KeySchema: [
        { AttributeName: "pk", KeyType: "HASH" },
        { AttributeName: "sk", KeyType: "RANGE" },
      ],
      LocalSecondaryIndexes: [
        {
          IndexName: "bySk2",
          KeySchema: [
            { AttributeName: "pk", KeyType: "HASH" },
            { AttributeName: "sk2", KeyType: "RANGE" },
          ],
          Projection: { ProjectionType: "ALL" },
        },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: "byTenant",
          KeySchema: [
            { AttributeName: "tenant", KeyType: "HASH" },
            { AttributeName: "region", KeyType: "HASH" },
            { AttributeName: "status", KeyType: "RANGE" },
            { AttributeName: "score", KeyType: "RANGE" },
          ],
          Projection: { ProjectionType: "ALL" },
        },
      ],
    }),
  );
}

/** The table and its two entities, bound to one server's document client. */
function model(doc) {
  const table = new Table({
    name: TABLE,
    documentClient: doc,
    partitionKey: { name: "pk", type: "string" },
    sortKey: { name: "sk", type: "string" },
    indexes: {
      bySk2: { type: "local", sortKey: { name: "sk2", type: "string" } },
      byTenant: {
        type: "global",
        partitionKeys: [
          { name: "tenant", type: "string" },
          { name: "region", type: "string" },
        ],
        sortKeys: [
          { name: "status", type: "string" },
          { name: "score", type: "number" },
        ],
      },
    },
  });
  const User = new Entity({
    name: "User",
    table,
    timestamps: false,
    schema: item({
      userId: string().key(),
      name: string(),
      tenant: string(),
      region: string(),
      status: string(),
      score: number(),
      sk2: string().optional(),
      logins: number().default(0),
      roles: set(string()).optional(),
      history: list(string()).optional(),
      prefs: map({ theme: string(), beta: boolean() }).optional(),
    }),
    computeKey: ({ userId }) => ({ pk: "TENANT", sk: "USER#" + userId }),
  });
  const Order = new Entity({
    name: "Order",
    table,
    timestamps: false,
    schema: item({
      orderId: string().key(),
      userId: string(),
      total: number(),
      lines: list(map({ sku: string(), qty: number() })),
    }),
    computeKey: ({ orderId }) => ({ pk: "TENANT", sk: "ORDER#" + orderId }),
  });
  return { table, User, Order };
}

const USERS = [];
for (let i = 0; i < 12; i++) {
  USERS.push({
    userId: "u" + String(i).padStart(2, "0"),
    name: "User " + i,
    tenant: i % 2 ? "acme" : "globex",
    region: i % 3 ? "eu" : "us",
    status: ["active", "invited", "suspended"][i % 3],
    score: (i * 37) % 11,
    sk2: "S2#" + ((i * 5) % 7),
  });
}

/** Runs scenario(model) with a document client of its own on one server. */
async function withModel(ctx, fn) {
  const doc = makeDoc(ctx.endpoint, {});
  try {
    return await fn(model(doc));
  } finally {
    doc.destroy();
  }
}

/** All pages of a toolbox query or scan command, items and LastEvaluatedKey of each. */
async function allPages(cmd) {
  const out = [];
  let start;
  do {
    const page = await outcome((start ? cmd.options((o) => ({ ...o, exclusiveStartKey: start })) : cmd).send());
    if (page.error) {
      out.push(page);
      break;
    }
    out.push({ Items: page.ok.Items, Count: page.ok.Count, Last: page.ok.LastEvaluatedKey });
    start = page.ok.LastEvaluatedKey;
  } while (start && out.length < 50);
  return withoutEmptyLastPage(out);
}

both("toolbox: entities, writes with conditions, update extensions", async (ctx) => {
  await createTable(ctx.client);
  return withModel(ctx, async ({ User, Order }) => {
    const t = [];
    for (const u of USERS) t.push(await outcome(User.build(PutItemCommand).item(u).send()));
    t.push(
      await outcome(
        User.build(PutItemCommand)
          .item(USERS[0])
          .options({ condition: { attr: "userId", exists: false } })
          .send(),
      ),
    );
    t.push(
      await outcome(
        User.build(UpdateItemCommand)
          .item({
            userId: "u01",
            logins: $add(1),
            roles: $add(new Set(["admin", "dev"])),
            history: $set(["created"]),
            prefs: $set({ theme: "dark", beta: true }),
          })
          .options({ returnValues: "ALL_NEW" })
          .send(),
      ),
    );
    t.push(
      await outcome(
        User.build(UpdateItemCommand)
          .item({ userId: "u01", roles: $delete(new Set(["dev"])), score: $sum(1, 2), sk2: $remove() })
          .options({ returnValues: "UPDATED_OLD" })
          .send(),
      ),
    );
    t.push(
      await outcome(
        User.build(UpdateItemCommand)
          .item({ userId: "u01", history: $append(["signed-in", "signed-out"]), prefs: { beta: false } })
          .options({ returnValues: "ALL_NEW", condition: { attr: "logins", eq: 1 } })
          .send(),
      ),
    );
    t.push(await outcome(User.build(GetItemCommand).key({ userId: "u01" }).options({ consistent: true }).send()));
    t.push(await outcome(User.build(GetItemCommand).key({ userId: "nobody" }).send()));
    t.push(
      await outcome(
        Order.build(PutItemCommand)
          .item({ orderId: "o1", userId: "u01", total: 12.5, lines: [{ sku: "a", qty: 2 }, { sku: "b", qty: 1 }] })
          .send(),
      ),
    );
    t.push(
      await outcome(
        Order.build(DeleteItemCommand)
          .key({ orderId: "o1" })
          .options({ condition: { attr: "total", gt: 100 } })
          .send(),
      ),
    );
    t.push(await outcome(Order.build(DeleteItemCommand).key({ orderId: "o1" }).options({ returnValues: "ALL_OLD" }).send()));
    return t;
  });
});

both("toolbox: queries with paging on the table, an LSI and a multi-attribute GSI; scans", async (ctx) => {
  return withModel(ctx, async ({ table, User }) => {
    const t = [];
    t.push(
      await allPages(
        table
          .build(QueryCommand)
          .entities(User)
          .query({ partition: "TENANT", range: { beginsWith: "USER#" } })
          .options({ limit: 5, reverse: true }),
      ),
    );
    t.push(
      await allPages(
        table
          .build(QueryCommand)
          .entities(User)
          .query({ index: "bySk2", partition: "TENANT", range: { between: ["S2#1", "S2#5"] } })
          .options({ limit: 4, filters: { User: { attr: "score", gte: 2 } } }),
      ),
    );
    t.push(
      await allPages(
        table
          .build(QueryCommand)
          .entities(User)
          .query({ index: "byTenant", partition: ["acme", "eu"] })
          .options({ limit: 2 }),
      ),
    );
    t.push(
      await allPages(
        table
          .build(QueryCommand)
          .entities(User)
          .query({ index: "byTenant", partition: ["globex", "eu"], range: ["invited", { gte: 0 }] })
          .options({ limit: 1, reverse: true }),
      ),
    );
    t.push(
      await allPages(
        table
          .build(QueryCommand)
          .entities(User)
          .query({ index: "byTenant", partition: ["acme", "us"], range: [{ beginsWith: "act" }] }),
      ),
    );
    for (const segment of [0, 1]) {
      t.push(await allPages(table.build(ScanCommand).entities(User).options({ limit: 5, segment, totalSegments: 2 })));
    }
    t.push(await allPages(table.build(ScanCommand).entities(User).options({ index: "byTenant", limit: 4 })));
    return t;
  });
});

both("toolbox: batches and transactions", async (ctx) => {
  return withModel(ctx, async ({ table, User, Order }) => {
    const t = [];
    t.push(
      await outcome(
        executeBatchWrite(
          table
            .build(BatchWriteCommand)
            .requests(
              Order.build(BatchPutRequest).item({ orderId: "o2", userId: "u02", total: 3, lines: [] }),
              Order.build(BatchPutRequest).item({ orderId: "o3", userId: "u03", total: 4, lines: [{ sku: "c", qty: 9 }] }),
              User.build(BatchDeleteRequest).key({ userId: "u11" }),
            ),
        ),
      ),
    );
    const got = await outcome(
      executeBatchGet(
        table
          .build(BatchGetCommand)
          .requests(
            Order.build(BatchGetRequest).key({ orderId: "o3" }),
            User.build(BatchGetRequest).key({ userId: "u11" }),
            Order.build(BatchGetRequest).key({ orderId: "o2" }),
          ),
      ),
    );
    t.push(got.ok ? got.ok.Responses : got);
    t.push(
      await outcome(
        executeTransactWrite(
          User.build(UpdateTransaction).item({ userId: "u02", logins: $add(5) }),
          Order.build(ConditionCheck).key({ orderId: "o2" }).condition({ attr: "total", eq: 3 }),
          Order.build(PutTransaction).item({ orderId: "o4", userId: "u02", total: 1, lines: [] }),
        ),
      ),
    );
    t.push(
      await outcome(
        executeTransactWrite(
          Order.build(DeleteTransaction).key({ orderId: "o4" }),
          Order.build(ConditionCheck).key({ orderId: "o3" }).condition({ attr: "total", gt: 100 }),
        ),
      ),
    );
    t.push(
      await outcome(
        executeTransactGet(
          User.build(GetTransaction).key({ userId: "u02" }),
          Order.build(GetTransaction).key({ orderId: "o4" }),
          Order.build(GetTransaction).key({ orderId: "o9" }),
        ),
      ),
    );
    return t;
  });
});
