// browser.mjs: what the browser suites share (imported, not a test file):
// Debian's chromium launched through playwright-core, pages on the server
// under test at BASE_URL, signing in on the dev sign-in page, and
// screenshots into SCREENSHOT_DIR when it is set.
import fs from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";

export const BASE = process.env.BASE_URL || "http://127.0.0.1:4567";
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };
const SHOTS = process.env.SCREENSHOT_DIR || "";
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";

/** Debian's chromium (as root it needs --no-sandbox). */
export function launchChromium() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: process.getuid?.() === 0 ? ["--no-sandbox"] : [],
  });
}

/** A page in a context of its own, on BASE, that reports page errors. */
export async function newPage(browser, viewport = DESKTOP) {
  const context = await browser.newContext({ viewport, baseURL: BASE });
  const page = await context.newPage();
  page.setDefaultTimeout(10000);
  page.on("pageerror", (err) => console.error(`page error: ${err.message}`));
  return page;
}

/** Signs in through the sign-in page by picking the user. */
export async function signIn(page, handle) {
  await page.goto("/signin");
  await page.locator(`button.user-pick[data-handle="${handle}"]`).click();
  await page.waitForURL("**/messages");
}

/** Saves a screenshot named `name` when SCREENSHOT_DIR is set. */
export async function shot(page, name) {
  if (!SHOTS) return;
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}
