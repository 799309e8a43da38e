// Browser tests of what arrives at once (issue 15), run by run_browser.sh
// after messages.test.mjs against the same server: push delivery over the
// event stream with no polling while it is up, unread counts in the list
// and the tab title, and the chat habits (Enter sends, drafts, links,
// "now", avatars, phones).
//
// andrewbrown and bayko each have a browser context of their own; the
// seeded conversation of the two is the one they write in.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { PHONE, launchChromium, newPage as pageIn, shot, signIn } from "./browser.mjs";


let browser;
let andrew;
let bayko;
let seeded; // the andrewbrown/bayko conversation

const newPage = (viewport) => pageIn(browser, viewport);

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
  browser = await launchChromium();
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
  // No polling happens (counted below), so only the stream can bring it;
  // the bound is loose for a loaded machine (bench/ measures the latency).
  await bayko.locator("li.message", { hasText: text }).waitFor({ timeout: 3000 });
  const took = Date.now() - acked;
  assert.ok(took < 3000, `shown ${took} ms after the POST's answer`);
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

test("Enter sends; Shift+Enter adds a new line; Ctrl+Enter sends too", async () => {
  await andrew.goto(`/messages/${seeded}`);
  const box = composerBox(andrew);
  await box.waitFor();
  await box.fill("");
  await box.type("first line");
  await box.press("Shift+Enter");
  await box.type("second line");
  assert.equal(await box.inputValue(), "first line\nsecond line", "Shift+Enter: a new line");
  await box.press("Enter");
  const sent = andrew.locator("li.message .text", { hasText: "first line" }).last();
  await sent.waitFor();
  assert.equal(await sent.textContent(), "first line\nsecond line");
  assert.equal(await box.inputValue(), "");
  await box.type("sent with Ctrl+Enter");
  await box.press("Control+Enter");
  await andrew.locator("li.message", { hasText: "sent with Ctrl+Enter" }).waitFor();
  assert.match(await andrew.locator("#composer-hint").textContent(), /Enter sends/);
});

test("a draft is kept per conversation, across a reload and an expired session", async () => {
  await bayko.goto(`/messages/${seeded}`);
  const box = composerBox(bayko);
  await box.waitFor();
  const draft = "Half-written: about the permits, I think";
  await box.fill(draft);
  await bayko.reload();
  await composerBox(bayko).waitFor();
  assert.equal(await composerBox(bayko).inputValue(), draft, "kept across a reload");

  // Another conversation has its own (empty) draft.
  await bayko.goto("/messages/new/londo");
  assert.equal(await composerBox(bayko).inputValue(), "");

  // The session ends while typing: sending is refused (401), the user signs
  // in again and finds the draft where it was.
  await bayko.goto(`/messages/${seeded}`);
  await composerBox(bayko).waitFor();
  await composerBox(bayko).fill(`${draft} we can go.`);
  await bayko.evaluate(() => localStorage.setItem("access_token", "expired.token.value"));
  await bayko.getByRole("button", { name: "Message", exact: true }).click();
  await bayko.waitForURL(/\/signin/);
  await bayko.locator('button.user-pick[data-handle="bayko"]').click();
  await bayko.waitForURL(`**/messages/${seeded}`);
  await composerBox(bayko).waitFor();
  assert.equal(await composerBox(bayko).inputValue(), `${draft} we can go.`);
  await bayko.getByRole("button", { name: "Message", exact: true }).click();
  await bayko.locator("li.message", { hasText: "we can go." }).waitFor();
  await bayko.reload();
  await composerBox(bayko).waitFor();
  assert.equal(await composerBox(bayko).inputValue(), "", "sent: the draft is gone");
});

test("a token is renewed before it expires, without leaving the page", async () => {
  const page = await newPage();
  await page.clock.install();
  await signIn(page, "londo");
  await page.goto("/messages");
  await page.getByRole("heading", { name: "Messages" }).waitFor();
  const first = await page.evaluate(() => localStorage.getItem("access_token"));
  const renewal = page.waitForRequest((r) => r.url().endsWith("/api/dev/signin"));
  await page.clock.fastForward("58:30"); // a dev token lasts an hour; renewal 2 min before
  await renewal;
  const deadline = Date.now() + 10000;
  let now = first;
  while (now === first && Date.now() < deadline) {
    now = await page.evaluate(() => localStorage.getItem("access_token"));
  }
  assert.notEqual(now, first, "a new token");
  assert.match(page.url(), /\/messages$/, "still on the page");
  await page.context().close();
});

test("links can be clicked and open safely; text is never markup", async () => {
  await andrew.goto(`/messages/${seeded}`);
  const text = "See https://example.com/a?b=1. Also <b>bold</b> and javascript:alert(1)";
  await composerBox(andrew).fill(text);
  await composerBox(andrew).press("Enter");
  await bayko.goto(`/messages/${seeded}`);
  const msg = bayko.locator("li.message", { hasText: "<b>bold</b>" }).last();
  await msg.waitFor();
  const links = msg.locator("a");
  assert.equal(await links.count(), 1);
  assert.equal(await links.getAttribute("href"), "https://example.com/a?b=1");
  assert.equal(await links.getAttribute("rel"), "noopener noreferrer");
  assert.equal(await links.getAttribute("target"), "_blank");
  assert.equal(await msg.locator("b").count(), 0, "no markup from a message");
  assert.equal(await msg.locator(".text").textContent(), text);
});

test("a message just sent is 'now'", async () => {
  const time = bayko.locator("li.message time").last();
  assert.equal(await time.textContent(), "now");
});

test("Andrew Brown and Andrew Bayko get distinct avatars", async () => {
  const page = await newPage();
  await page.goto("/signin");
  const hue = (handle) =>
    page.locator(`button.user-pick[data-handle="${handle}"] .avatar`).getAttribute("data-colour");
  const [brown, bayko2] = [await hue("andrewbrown"), await hue("bayko")];
  assert.notEqual(brown, bayko2);
  const bg = (handle) => page.locator(`button.user-pick[data-handle="${handle}"] .avatar`)
    .evaluate((el) => getComputedStyle(el).backgroundColor);
  assert.notEqual(await bg("andrewbrown"), await bg("bayko"));
  await shot(page, "signin-avatars-desktop");
  await page.context().close();
});

test("phone: who is signed in shows, and 'start a conversation' is at the top", async () => {
  const phone = await newPage(PHONE);
  await signIn(phone, "andrewbrown");
  await phone.locator("li.group").first().waitFor();
  const me = phone.locator('[data-testid="me"]');
  assert.ok(await me.isVisible(), "the signed-in user is shown");
  assert.match(await me.textContent(), /@andrewbrown/);
  const start = phone.getByLabel("Start a conversation with");
  assert.ok(await start.isVisible());
  const formBox = await start.boundingBox();
  const firstRow = await phone.locator("li.group").first().boundingBox();
  assert.ok(formBox.y < firstRow.y, "above the list");
  assert.ok(formBox.y + formBox.height <= PHONE.height, "reachable without scrolling");
  await shot(phone, "messages-phone-top");
  await phone.context().close();
});
