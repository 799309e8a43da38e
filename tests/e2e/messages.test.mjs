// Browser tests of the messages pages (issue 5), run by run_browser.sh with
// node's test runner: playwright-core drives Debian's chromium against a
// running `cruddur serve` at BASE_URL whose data holds the demo users and
// the seeded andrewbrown/bayko conversation.
//
// The tests run in order and share one browser: andrewbrown in one
// context, bayko in another at the same time. Screenshots (desktop and
// phone width) go to SCREENSHOT_DIR.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { PHONE, launchChromium, newPage as pageIn, shot, signIn as pickUser } from "./browser.mjs";

const UUID = /\/messages\/([0-9a-f-]{36})$/;

let browser;
let andrew; // page signed in as andrewbrown
let bayko; // page signed in as bayko, in another context
let seeded; // uuid of the andrewbrown/bayko conversation
let londoGroup; // uuid of the conversation started with londo

const newPage = (viewport) => pageIn(browser, viewport);

/** Signs in by picking the user, then waits for the list to have loaded. */
async function signIn(page, handle) {
  await pickUser(page, handle);
  await page.locator(".groups-status").waitFor({ state: "hidden" }).catch(() => {});
}

/** The message texts shown in the open conversation, top to bottom. */
const messageTexts = (page) => page.locator("ol.messages li.message .text").allTextContents();
const messageTimes = (page) =>
  page.locator("ol.messages li.message time").evaluateAll((els) => els.map((e) => e.dateTime));

/** Marks the document so a reload (which would drop the mark) can be seen. */
const markDocument = (page) => page.evaluate(() => { window.__e2eMark = true; });
const stillSameDocument = (page) => page.evaluate(() => window.__e2eMark === true);

before(async () => {
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

test("the app shell, its files and the 404 page are served", async () => {
  const page = await newPage();
  const res = await page.goto("/messages/new/someone");
  assert.equal(res.status(), 200);
  assert.match(res.headers()["content-type"], /^text\/html/);
  const css = await page.request.get("/css/app.css");
  assert.equal(css.status(), 200);
  assert.match(css.headers()["content-type"], /^text\/css/);
  const missing = await page.goto("/no/such/file.js");
  assert.equal(missing.status(), 404);
  await page.getByRole("heading", { name: "Page not found" }).waitFor();
  await page.context().close();
});

test("andrewbrown signs in and sees the conversation with Andrew Bayko", async () => {
  andrew = await newPage();
  await andrew.goto("/messages");
  await andrew.waitForURL(/\/signin/); // not signed in yet
  await shot(andrew, "signin-desktop");
  await signIn(andrew, "andrewbrown");
  assert.ok(await andrew.evaluate(() => localStorage.getItem("access_token")));
  const row = andrew.locator("li.group", { hasText: "Andrew Bayko" });
  await row.waitFor();
  assert.match(await row.textContent(), /@bayko/);
  seeded = await row.getAttribute("data-uuid");
  const time = row.locator("time");
  assert.match(await time.textContent(), /^(now|\d+m|\d+h|[A-Z][a-z]{2} \d{1,2}(, \d{4})?)$/);
  assert.ok((await time.getAttribute("title")).length > 10, "full date on hover");
});

test("opening it shows the latest messages oldest first; older ones load", async () => {
  await andrew.locator(`li.group[data-uuid="${seeded}"] a`).click();
  await andrew.waitForURL(`**/messages/${seeded}`);
  await andrew.locator("li.message").first().waitFor();
  await markDocument(andrew);
  const times = await messageTimes(andrew);
  assert.equal(times.length, 20, "the API's latest page");
  assert.deepEqual([...times].sort(), times, "oldest first");
  const firstShown = (await messageTexts(andrew))[0];

  await andrew.getByRole("button", { name: "Load older messages" }).click();
  await andrew.waitForFunction(() => document.querySelectorAll("li.message").length > 20);
  const more = await messageTimes(andrew);
  assert.ok(more.length > 20);
  assert.deepEqual([...more].sort(), more, "still oldest first");
  assert.ok(more[0] < times[0], "older messages above");
  assert.ok((await messageTexts(andrew)).includes(firstShown));
  assert.ok(await stillSameDocument(andrew), "no page reload");
});

test("/messages/new/londo starts a conversation; a second visit reuses it", async () => {
  await andrew.goto("/messages/new/londo");
  await andrew.getByRole("heading", { name: /Londo Mollari/ }).waitFor();
  assert.match(await andrew.locator(".user-card").textContent(), /@londo/);
  const first = "Ambassador Mollari, do you have a minute for the trade agreement?";
  const second = "Following up: Thursday works for us too.";
  await andrew.getByPlaceholder("send a direct message...").fill(first);
  await andrew.getByRole("button", { name: "Message", exact: true }).click();
  await andrew.waitForURL(UUID);
  londoGroup = UUID.exec(andrew.url())[1];
  await andrew.locator("li.message", { hasText: first }).waitFor();
  await andrew.locator(`li.group[data-uuid="${londoGroup}"]`).waitFor();

  await andrew.goto("/messages/new/londo");
  await andrew.locator(".existing a").waitFor(); // says the conversation exists
  const box = andrew.getByPlaceholder("send a direct message...");
  await box.fill(second);
  await box.press("Control+Enter"); // keyboard sending
  await andrew.waitForURL(UUID);
  assert.equal(UUID.exec(andrew.url())[1], londoGroup, "the same conversation");
  await andrew.locator("li.message", { hasText: second }).waitFor();
  const texts = await messageTexts(andrew);
  assert.deepEqual(texts.slice(-2), [first, second]);
});

test("a sent message appears once, without reload, moves to the top, and bayko sees it within 2 s", async () => {
  bayko = await newPage();
  await signIn(bayko, "bayko");
  await bayko.goto(`/messages/${seeded}`);
  await bayko.locator("li.message").first().waitFor();

  await andrew.goto(`/messages/${seeded}`);
  await andrew.locator("li.message").first().waitFor();
  assert.notEqual(await andrew.locator("li.group").first().getAttribute("data-uuid"), seeded,
    "the londo conversation is newer");
  await markDocument(andrew);
  const text = "Back from the store: I got the permits printed. See you Thursday!";
  const box = andrew.getByPlaceholder("send a direct message...");
  await box.fill(text);
  const posted = andrew.waitForResponse((r) => r.url().endsWith("/api/messages") && r.request().method() === "POST");
  await andrew.getByRole("button", { name: "Message", exact: true }).click();
  assert.equal((await posted).status(), 200);
  const sentAt = Date.now();

  await bayko.locator("li.message", { hasText: text }).waitFor({ timeout: 2000 });
  assert.ok(Date.now() - sentAt <= 2000, "bayko sees it within 2 s");

  await andrew.locator("li.message", { hasText: text }).waitFor();
  assert.equal(await box.inputValue(), "", "the textarea is cleared");
  assert.equal(await andrew.locator('[data-testid="char-count"]').textContent(), "1024");
  const top = andrew.locator("li.group").first();
  assert.equal(await top.getAttribute("data-uuid"), seeded, "moved to the top");
  assert.equal(await top.locator(".last").textContent(), text);
  // A reply sent after it arrives after it, by the same push or poll: once
  // andrew sees the reply, a second copy of the message would be there too.
  const reply = "Thursday it is. I'll bring the coffee.";
  await bayko.getByPlaceholder("send a direct message...").fill(reply);
  await bayko.getByRole("button", { name: "Message", exact: true }).click();
  await andrew.locator("li.message", { hasText: reply }).waitFor();
  await bayko.locator("li.message", { hasText: reply }).waitFor();
  assert.equal(await andrew.locator("li.message", { hasText: text }).count(), 1);
  assert.equal(await bayko.locator("li.message", { hasText: text }).count(), 1);
  assert.ok(await stillSameDocument(andrew), "no page reload");
  assert.equal(await andrew.locator("li.message.mine", { hasText: text }).count(), 1);
  await shot(andrew, "conversation-desktop");
  await shot(bayko, "conversation-other-side-desktop");
});

test("1025 characters cannot be sent and the counter shows -1", async () => {
  const box = andrew.getByPlaceholder("send a direct message...");
  const counter = andrew.locator('[data-testid="char-count"]');
  const button = andrew.getByRole("button", { name: "Message", exact: true });
  let posts = 0;
  andrew.on("request", (r) => { if (r.method() === "POST") posts++; });
  await box.fill("x".repeat(1025));
  assert.equal(await counter.textContent(), "-1");
  assert.match(await counter.getAttribute("class"), /over/);
  assert.ok(await button.isDisabled());
  await box.press("Control+Enter");
  // Requests are reported in the order the page makes them: once a request
  // made after the key press is seen, a POST from it would have been too.
  const barrier = andrew.waitForRequest((r) => r.url().includes("/css/app.css?after-key"));
  await andrew.evaluate(() => fetch("/css/app.css?after-key"));
  await barrier;
  assert.equal(posts, 0, "nothing was sent");
  await shot(andrew, "counter-over-desktop");
  await box.fill("😀".repeat(1024)); // code points, not UTF-16 units
  assert.equal(await counter.textContent(), "0");
  assert.ok(!(await button.isDisabled()));
  await box.fill("");
});

test("a conversation the user is not in shows not found", async () => {
  await bayko.goto(`/messages/${londoGroup}`);
  await bayko.getByRole("heading", { name: /not found/i }).waitFor();
  assert.equal(await bayko.locator("li.message").count(), 0);
  await bayko.goto("/messages/00000000-0000-4000-8000-000000000000");
  await bayko.getByRole("heading", { name: /not found/i }).waitFor();
});

test("errors are shown: 422 in words, network down, 401 back to sign-in", async () => {
  await bayko.goto(`/messages/${seeded}`);
  await bayko.locator("li.message").first().waitFor();
  await bayko.route("**/api/messages", (route) => route.fulfill({
    status: 422, contentType: "application/json", body: '["message_exceed_max_chars"]',
  }));
  await bayko.getByPlaceholder("send a direct message...").fill("refused");
  await bayko.getByRole("button", { name: "Message", exact: true }).click();
  await bayko.locator("#composer-error", { hasText: "longer than 1024 characters" }).waitFor();
  await bayko.unroute("**/api/messages");

  // Offline: the event stream drops, so the page polls, and says it cannot.
  await bayko.context().setOffline(true);
  await bayko.locator("#banner", { hasText: "Cannot reach the server" }).waitFor({ timeout: 4000 });
  await bayko.context().setOffline(false);
  await bayko.locator("#banner").waitFor({ state: "hidden", timeout: 4000 });

  await bayko.evaluate(() => localStorage.setItem("access_token", "not-a-token"));
  await bayko.goto("/messages");
  await bayko.waitForURL(/\/signin/);
  await bayko.locator("#banner", { hasText: "sign in again" }).waitFor();
});

test("phone width: the list, a conversation, and sign out", async () => {
  const phone = await newPage(PHONE);
  await signIn(phone, "andrewbrown");
  await phone.locator("li.group").first().waitFor();
  await shot(phone, "messages-phone");
  await phone.locator(`li.group[data-uuid="${seeded}"] a`).click();
  await phone.locator("li.message").first().waitFor();
  const width = await phone.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= PHONE.width, `no horizontal scrolling (${width}px)`);
  assert.ok(await phone.getByPlaceholder("send a direct message...").isVisible());
  await shot(phone, "conversation-phone");
  await phone.getByRole("button", { name: "Sign out" }).click();
  await phone.waitForURL(/\/signin/);
  assert.equal(await phone.evaluate(() => localStorage.getItem("access_token")), null);
  await phone.context().close();
});
