// `cruddur dynamodb` and web pages (issue 11, item 5), in a real browser:
// a page from another origin can neither read nor change the tables of a
// server started without --cors, and can call one started with --cors
// naming its origin. The test serves that page itself (a plain page with no
// Content-Security-Policy, on 127.0.0.1 and a free port) and starts both
// servers ($CRUDDUR_BIN), stopping them at the end with SIGTERM: each must
// exit 0 (no leak report).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import http from "node:http";
import readline from "node:readline";
import { after, before, test } from "node:test";
import { launchChromium } from "./browser.mjs";

const BIN = process.env.CRUDDUR_BIN || "cruddur";

let site; // the other site's page server
let origin; // its origin, http://127.0.0.1:PORT
let closed; // cruddur dynamodb without --cors
let open; // cruddur dynamodb --cors <origin>
let browser;
let page;

/** Starts `cruddur dynamodb --in-memory --port 0 ...args`; resolves once it listens. */
function startDynamodb(args) {
  const proc = spawn(BIN, ["dynamodb", "--in-memory", "--port", "0", "--quiet", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  proc.stderr.on("data", (d) => (log += d));
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: proc.stdout });
    lines.on("line", (line) => {
      const m = line.match(/listening on (http:\/\/\S+)$/);
      if (m) resolve({ proc, url: m[1], log: () => log });
    });
    proc.on("exit", (code) => reject(new Error(`cruddur dynamodb exited ${code}: ${log}`)));
  });
}

/** SIGTERM, then the exit code must be 0. */
async function stopDynamodb(s) {
  if (!s) return;
  const code = await new Promise((resolve) => {
    s.proc.on("exit", (c) => resolve(c));
    s.proc.kill("SIGTERM");
  });
  assert.equal(code, 0, s.log());
}

/** A DynamoDB call from this test (node, not a browser: CORS does not apply). */
async function direct(endpoint, op, body) {
  const r = await fetch(endpoint + "/", {
    method: "POST",
    headers: { "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810." + op },
    body: JSON.stringify(body),
  });
  return { status: r.status, body: await r.json() };
}

/** The same call made by the page's script, as a browser SDK would. */
function fromPage(endpoint, op, body) {
  return page.evaluate(async ([url, target, text]) => {
    try {
      const r = await fetch(url + "/", {
        method: "POST",
        headers: { "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": target },
        body: text,
      });
      return { status: r.status, body: await r.json() };
    } catch (e) {
      return { error: String(e) };
    }
  }, [endpoint, "DynamoDB_20120810." + op, JSON.stringify(body)]);
}

const table = (name) => ({
  TableName: name,
  BillingMode: "PAY_PER_REQUEST",
  AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
  KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
});

before(async () => {
  site = http.createServer((req, res) => {
    res.writeHead(200, { "Content-Type": "text/html" });
    res.end("<!doctype html><title>another site</title><p>another site</p>");
  });
  await new Promise((resolve) => site.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${site.address().port}`;
  closed = await startDynamodb([]);
  open = await startDynamodb(["--cors", origin]);
  browser = await launchChromium();
  page = await (await browser.newContext()).newPage();
  await page.goto(origin + "/");
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => (site ? site.close(resolve) : resolve()));
  await stopDynamodb(closed);
  await stopDynamodb(open);
});

test("the page's own scripts can fetch (the harness works)", async () => {
  const r = await page.evaluate(async () => (await fetch("/")).status);
  assert.equal(r, 200);
});

test("without --cors, a page from another origin can neither read nor delete a table", async () => {
  assert.equal((await direct(closed.url, "CreateTable", table("cors-victim"))).status, 200);
  const read = await fromPage(closed.url, "ListTables", {});
  assert.match(read.error ?? "", /Failed to fetch/, JSON.stringify(read));
  const del = await fromPage(closed.url, "DeleteTable", { TableName: "cors-victim" });
  assert.match(del.error ?? "", /Failed to fetch/, JSON.stringify(del));
  // The preflight got no Access-Control-* headers, so the DeleteTable was never sent.
  const tables = await direct(closed.url, "ListTables", {});
  assert.ok(tables.body.TableNames.includes("cors-victim"));
});

test("with --cors naming the page's origin, its scripts may call the server", async () => {
  const made = await fromPage(open.url, "CreateTable", table("cors-allowed"));
  assert.equal(made.status, 200, JSON.stringify(made));
  const list = await fromPage(open.url, "ListTables", {});
  assert.equal(list.status, 200);
  assert.ok(list.body.TableNames.includes("cors-allowed"));
  // Errors are readable too, so SDKs can report them.
  const missing = await fromPage(open.url, "DescribeTable", { TableName: "cors-nope" });
  assert.equal(missing.status, 400);
  assert.match(missing.body.__type, /ResourceNotFoundException$/);
});
