// electrodb 3 (a library built on the SDK v3 document client) against
// cruddur and DynamoDB Local 3.3.1 (harness.mjs): a service of two
// entities in one table with a collection on a GSI, composite keys,
// create/patch/upsert/remove with conditions, queries with cursors (the
// LastEvaluatedKey as base64 JSON text, so its names' order shows), batch
// get/put/delete and transactions.
import { CreateTableCommand } from "@aws-sdk/client-dynamodb";
import { Entity, Service } from "electrodb";
import { both, makeDoc, outcome, withoutEmptyLastPage } from "./harness.mjs";

const TABLE = "electro_main";

function createTable(client) {
  return client.send(
    new CreateTableCommand({
      TableName: TABLE,
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: ["pk", "sk", "gsi1pk", "gsi1sk"].map((n) => ({ AttributeName: n, AttributeType: "S" })),
      KeySchema: [
        { AttributeName: "pk", KeyType: "HASH" },
        { AttributeName: "sk", KeyType: "RANGE" },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: "gsi1",
          KeySchema: [
            { AttributeName: "gsi1pk", KeyType: "HASH" },
            { AttributeName: "gsi1sk", KeyType: "RANGE" },
          ],
          Projection: { ProjectionType: "ALL" },
        },
      ],
    }),
  );
}

/** The service (tasks and projects of a team) over one server's document client. */
function service(doc) {
  const opts = { table: TABLE, client: doc };
  const task = new Entity(
    {
      model: { entity: "task", version: "1", service: "teams" },
      attributes: {
        team: { type: "string", required: true },
        taskId: { type: "string", required: true },
        title: { type: "string", required: true },
        status: { type: ["open", "doing", "done"], default: "open" },
        points: { type: "number", default: 1 },
        tags: { type: "set", items: "string" },
        notes: { type: "list", items: { type: "string" } },
        owner: { type: "map", properties: { name: { type: "string" }, since: { type: "number" } } },
      },
      indexes: {
        byTask: {
          pk: { field: "pk", composite: ["team"] },
          sk: { field: "sk", composite: ["taskId"] },
        },
        byStatus: {
          index: "gsi1",
          collection: "board",
          pk: { field: "gsi1pk", composite: ["team"] },
          sk: { field: "gsi1sk", composite: ["status", "points"] },
        },
      },
    },
    opts,
  );
  const project = new Entity(
    {
      model: { entity: "project", version: "1", service: "teams" },
      attributes: {
        team: { type: "string", required: true },
        projectId: { type: "string", required: true },
        name: { type: "string" },
        budget: { type: "number" },
      },
      indexes: {
        byProject: {
          pk: { field: "pk", composite: ["team"] },
          sk: { field: "sk", composite: ["projectId"] },
        },
        byTeam: {
          index: "gsi1",
          collection: "board",
          pk: { field: "gsi1pk", composite: ["team"] },
          sk: { field: "gsi1sk", composite: ["projectId"] },
        },
      },
    },
    opts,
  );
  return new Service({ task, project }, opts);
}

/** Runs fn(service) with a document client of its own on one server. */
async function withService(ctx, fn) {
  const doc = makeDoc(ctx.endpoint, {});
  try {
    return await fn(service(doc));
  } finally {
    doc.destroy();
  }
}

/** Every page of an electrodb query, following its cursor. */
async function allPages(run) {
  const out = [];
  let cursor = null;
  do {
    const page = await outcome(run(cursor));
    if (page.error) {
      out.push(page);
      break;
    }
    out.push({ data: page.ok.data, cursor: page.ok.cursor });
    cursor = page.ok.cursor;
  } while (cursor && out.length < 50);
  return withoutEmptyLastPage(out, "data", "cursor");
}

both("electrodb: create, patch, upsert, remove with conditions", async (ctx) => {
  await createTable(ctx.client);
  return withService(ctx, async (svc) => {
    const { task, project } = svc.entities;
    const t = [];
    for (let i = 0; i < 14; i++) {
      t.push(
        await outcome(
          task
            .create({
              team: i % 2 ? "red" : "blue",
              taskId: "t" + String(i).padStart(2, "0"),
              title: "Task " + i,
              status: ["open", "doing", "done"][i % 3],
              points: (i * 7) % 5,
            })
            .go(),
        ),
      );
    }
    t.push(await outcome(task.create({ team: "blue", taskId: "t00", title: "again" }).go()));
    t.push(await outcome(project.put({ team: "blue", projectId: "p1", name: "Apollo", budget: 1000.25 }).go()));
    t.push(
      await outcome(
        task
          .patch({ team: "blue", taskId: "t02" })
          .add({ points: 3, tags: ["urgent", "backend"] })
          .append({ notes: ["first"] })
          .set({ owner: { name: "Ann", since: 2020 } })
          .go({ response: "all_new" }),
      ),
    );
    t.push(
      await outcome(
        task
          .patch({ team: "blue", taskId: "t02" })
          .delete({ tags: ["backend"] })
          .append({ notes: ["second"] })
          .where(({ points }, { gt }) => gt(points, 100))
          .go(),
      ),
    );
    t.push(await outcome(task.patch({ team: "blue", taskId: "nope" }).set({ title: "x" }).go()));
    t.push(await outcome(task.upsert({ team: "red", taskId: "t99", title: "Upserted", points: 4 }).go({ response: "all_new" })));
    t.push(await outcome(task.get({ team: "blue", taskId: "t02" }).go()));
    t.push(
      await outcome(
        task
          .remove({ team: "red", taskId: "t99" })
          .where(({ status }, { eq }) => eq(status, "done"))
          .go(),
      ),
    );
    t.push(await outcome(task.delete({ team: "red", taskId: "t99" }).go({ response: "all_old" })));
    t.push(await outcome(task.get({ team: "red", taskId: "t99" }).go()));
    return t;
  });
});

both("electrodb: queries, cursors, collections and scans", async (ctx) => {
  return withService(ctx, async (svc) => {
    const { task } = svc.entities;
    const t = [];
    t.push(await allPages((cursor) => task.query.byTask({ team: "blue" }).go({ limit: 3, cursor })));
    t.push(await allPages((cursor) => task.query.byTask({ team: "red" }).between({ taskId: "t03" }, { taskId: "t09" }).go({ limit: 2, cursor, order: "desc" })));
    t.push(await allPages((cursor) => task.query.byStatus({ team: "blue", status: "open" }).go({ limit: 1, cursor })));
    t.push(await allPages((cursor) => task.query.byStatus({ team: "red" }).gte({ status: "doing" }).where(({ points }, { gte }) => gte(points, 2)).go({ limit: 2, cursor })));
    t.push(await allPages((cursor) => svc.collections.board({ team: "blue" }).go({ limit: 4, cursor })));
    t.push(await outcome(task.query.byTask({ team: "blue" }).go({ pages: "all" })));
    t.push(await outcome(task.match({ status: "done" }).go({ pages: "all" })));
    t.push(await allPages((cursor) => task.scan.go({ limit: 5, cursor })));
    return t;
  });
});

both("electrodb: batch get, put and delete; transactions", async (ctx) => {
  return withService(ctx, async (svc) => {
    const { task, project } = svc.entities;
    const t = [];
    t.push(
      await outcome(
        task
          .put([
            { team: "green", taskId: "g1", title: "G1", points: 2 },
            { team: "green", taskId: "g2", title: "G2", points: 3 },
            { team: "green", taskId: "g3", title: "G3" },
          ])
          .go(),
      ),
    );
    t.push(await outcome(task.delete([{ team: "green", taskId: "g3" }, { team: "green", taskId: "nope" }]).go()));
    const got = await outcome(
      task
        .get([
          { team: "green", taskId: "g2" },
          { team: "green", taskId: "g3" },
          { team: "green", taskId: "g1" },
        ])
        .go(),
    );
    // BatchGetItem's answer lists the items in no documented order: compared sorted.
    got.ok?.data?.sort((a, b) => a.taskId.localeCompare(b.taskId));
    t.push(got);
    t.push(
      await outcome(
        svc.transaction
          .write(({ task, project }) => [
            task.create({ team: "green", taskId: "g4", title: "G4" }).commit(),
            task.patch({ team: "green", taskId: "g1" }).add({ points: 10 }).commit(),
            project.check({ team: "blue", projectId: "p1" }).where(({ budget }, { gt }) => gt(budget, 1000)).commit(),
          ])
          .go(),
      ),
    );
    t.push(
      await outcome(
        svc.transaction
          .write(({ task, project }) => [
            task.delete({ team: "green", taskId: "g4" }).commit(),
            project.check({ team: "blue", projectId: "p1" }).where(({ budget }, { lt }) => lt(budget, 1)).commit(),
            task.create({ team: "green", taskId: "g1", title: "dup" }).commit({ response: "all_old" }),
          ])
          .go(),
      ),
    );
    t.push(
      await outcome(
        svc.transaction
          .get(({ task, project }) => [
            task.get({ team: "green", taskId: "g1" }).commit(),
            task.get({ team: "green", taskId: "g4" }).commit(),
            project.get({ team: "blue", projectId: "p1" }).commit(),
            task.get({ team: "green", taskId: "g9" }).commit(),
          ])
          .go(),
      ),
    );
    return t;
  });
});
