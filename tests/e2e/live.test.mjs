// Browser tests of what arrives at once (issue 15), run by run_browser.sh
// after messages.test.mjs against the same server: push delivery over the
// event stream with no polling while it is up, unread counts in the list
// and the tab title, and the chat habits (Enter sends, drafts, links,
// "now", avatars, phones).
//
// andrewbrown and bayko each have a browser context of their own; the
// seeded conversation of the two is the one they write in.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { chromium } from "playwright-core";

const BASE = process.env.BASE_URL || "http://127.0.0.1:4567";
const SHOTS = process.env.SCREENSHOT_DIR || "";
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

let browser;
let andrew;
let bayko;
let seeded; // the andrewbrown/bayko conversation

async function newPage(viewport = DESKTOP) {
  const context = await browser.newContext({ viewport, baseURL: BASE });
  const page = await context.newPage();
  page.setDefaultTimeout(10000);
  page.on("pageerror", (err) => console.error(`page error: ${err.message}`));
  return page;
}

async function signIn(page, handle) {
  await page.goto("/signin");
  await page.locator(`button.user-pick[data-handle="${handle}"]`).click();
  await page.waitForURL("**/messages");
}

async function shot(page, name) {
  if (!SHOTS) return;
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

/** Until the page's event stream is up. */
const streamLive = (page) =>
  page.waitForFunction(() => document.body.dataset.stream === "live");

/** Counts the page's list requests (what polling would make) from now on. */
function countPolls(page) {
  const counter = { n: 0 };
  page.on("request", (r) => {
    if (r.method() === "GET" && /\/api\/(messages\/|message_groups)/.test(r.url())) counter.n++;
  });
  return counter;
}

const composerBox = (page) => page.getByPlaceholder("send a direct message...");

before(async () => {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: process.getuid?.() === 0 ? ["--no-sandbox"] : [],
  });
  andrew = await newPage();
  await signIn(andrew, "andrewbrown");
  const row = andrew.locator("li.group", { hasText: "Andrew Bayko" });
  await row.waitFor();
  seeded = await row.getAttribute("data-uuid");
  bayko = await newPage();
  await signIn(bayko, "bayko");
});

after(async () => {
  await browser?.close();
});

test("a message arrives by push, with no polling while the stream is up", async () => {
  await andrew.goto(`/messages/${seeded}`);
  await bayko.goto(`/messages/${seeded}`);
  for (const page of [andrew, bayko]) {
    await page.locator("li.message").first().waitFor();
    await streamLive(page);
  }
  const polls = countPolls(bayko);
  // Longer than five polls of the conversation would take (one a second).
  await bayko.waitForTimeout(5500);
  assert.equal(polls.n, 0, "no list requests while the stream is up");

  const text = `Pushed at ${Date.now()}`;
  await composerBox(andrew).fill(text);
  const posted = andrew.waitForResponse((r) => r.url().endsWith("/api/messages") &&
    r.request().method() === "POST");
  await andrew.getByRole("button", { name: "Message", exact: true }).click();
  assert.equal((await posted).status(), 200);
  const acked = Date.now();
  await bayko.locator("li.message", { hasText: text }).waitFor({ timeout: 1000 });
  const took = Date.now() - acked;
  assert.ok(took < 1000, `shown ${took} ms after the POST's answer`);
  const top = bayko.locator("li.group").first();
  await bayko.waitForFunction((uuid) =>
    document.querySelector("li.group")?.dataset.uuid === uuid, seeded);
  assert.equal(await top.locator(".last").textContent(), text);
  assert.equal(polls.n, 0, "it came by the stream, not by polling");
});

test("while the stream is down the page polls, and stops when it is back", async () => {
  const polls = countPolls(bayko);
  await bayko.route("**/api/events", (route) => route.abort("connectionrefused"));
  await bayko.evaluate(() => window.dispatchEvent(new Event("offline")));
  await bayko.waitForFunction(() => document.body.dataset.stream === "down");
  const text = `Polled at ${Date.now()}`;
  await composerBox(andrew).fill(text);
  await andrew.getByRole("button", { name: "Message", exact: true }).click();
  await bayko.locator("li.message", { hasText: text }).waitFor({ timeout: 4000 });
  assert.ok(polls.n > 0, "found by polling");
  await bayko.unroute("**/api/events");
  await streamLive(bayko);
  const after = polls.n;
  await bayko.waitForTimeout(3000);
  assert.ok(polls.n <= after + 2, `polling stopped (${polls.n - after} more requests)`);
});

test("unread counts show in the list and the tab title, and clear when read", async () => {
  await bayko.goto(`/messages/${seeded}`); // read it all first
  await bayko.locator("li.message").first().waitFor();
  await bayko.waitForFunction(() => !document.title.startsWith("("));
  await bayko.goto("/messages");
  await streamLive(bayko);
  const row = bayko.locator(`li.group[data-uuid="${seeded}"]`);
  await row.waitFor();
  assert.equal(await row.locator('[data-testid="unread"]').count(), 0);

  await andrew.goto(`/messages/${seeded}`);
  for (const text of ["Are you there?", "The permits are ready."]) {
    await composerBox(andrew).fill(text);
    await andrew.getByRole("button", { name: "Message", exact: true }).click();
    await andrew.locator("li.message", { hasText: text }).waitFor();
  }
  await row.locator('[data-testid="unread"]', { hasText: "2" }).waitFor();
  assert.match(await row.getAttribute("class"), /unread/);
  await bayko.waitForFunction(() => document.title.startsWith("(2) "));
  await shot(bayko, "unread-desktop");

  // Kept by the server: a reload shows the same count.
  await bayko.reload();
  await row.locator('[data-testid="unread"]', { hasText: "2" }).waitFor();
  assert.match(await bayko.title(), /^\(2\) /);

  // Reading it clears the count, here and after a reload.
  await row.locator("a").click();
  await bayko.locator("li.message", { hasText: "The permits are ready." }).waitFor();
  await bayko.waitForFunction(() => !document.title.startsWith("("));
  await row.locator('[data-testid="unread"]').waitFor({ state: "detached" });
  await bayko.goto("/messages");
  await row.waitFor();
  await streamLive(bayko);
  assert.equal(await row.locator('[data-testid="unread"]').count(), 0);
  assert.doesNotMatch(await bayko.title(), /^\(/);
});
