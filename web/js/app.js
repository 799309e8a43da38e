// app: the single-page app's entry. Routes the location to a page, keeps
// the header's account area and the error banner, intercepts same-origin
// links so moving between pages never reloads, and sends the user back to
// sign-in on any 401.
//
// A page is `async (ctx) => void`; it draws into ctx.main and registers
// its timers through ctx.every(), which stop when the page is left
// (ctx.signal aborts).
import { onUnauthorized } from "./api.js";
import * as events from "./events.js";
import * as renew from "./renew.js";
import { h, replace } from "./dom.js";
import { displayHandle, isSignedIn, signOut } from "./session.js";
import { refreshTimes } from "./time.js";
import { signinPage } from "./pages/signin.js";
import { conversationPage, messagesPage, newConversationPage } from "./pages/messages.js";
import { notFoundPage } from "./pages/notfound.js";

const main = document.getElementById("main");
const banner = document.getElementById("banner");
const account = document.getElementById("account");

const ROUTES = [
  { re: /^\/signin\/?$/, page: signinPage, public: true },
  { re: /^\/messages\/?$/, page: messagesPage },
  { re: /^\/messages\/new\/([^/]+)$/, page: newConversationPage },
  { re: /^\/messages\/([^/]+)$/, page: conversationPage },
];

let current = null; // {controller} of the page on screen

/** Shows a message above the page; kind "error" or "info". */
export function showBanner(text, kind = "error") {
  banner.textContent = text;
  banner.dataset.kind = kind;
  banner.hidden = false;
}

export function clearBanner() {
  banner.hidden = true;
  banner.textContent = "";
}

/** Goes to a path inside the app without reloading. */
export function navigate(path, { replace: replaceEntry = false, notice } = {}) {
  if (replaceEntry) history.replaceState({ notice }, "", path);
  else history.pushState({ notice }, "", path);
  render();
}

function drawAccount() {
  if (!isSignedIn()) {
    replace(account);
    return;
  }
  const handle = displayHandle();
  replace(account,
    handle ? h("span", { class: "me", "data-testid": "me" },
      h("span", { class: "label" }, "Signed in as "), h("strong", {}, `@${handle}`)) : null,
    h("button", {
      type: "button", class: "button secondary", onclick: () => {
        events.stop();
        renew.cancel();
        signOut();
        navigate("/signin", { notice: "You are signed out." });
      },
    }, "Sign out"));
}

/** Draws the page for the current location. */
async function render() {
  if (current) current.controller.abort();
  const controller = new AbortController();
  current = { controller };
  clearBanner();
  let path = location.pathname;
  try { path = decodeURI(path); } catch { /* malformed escapes: match as is */ }
  if (path === "/" || path === "") {
    history.replaceState(null, "", isSignedIn() ? "/messages" : "/signin");
    return render();
  }
  const route = ROUTES.find((r) => r.re.test(path));
  if (route && !route.public && !isSignedIn()) {
    const next = location.pathname + location.search;
    history.replaceState(null, "", `/signin?next=${encodeURIComponent(next)}`);
    return render();
  }
  drawAccount();
  if (isSignedIn()) {
    events.start();
    renew.schedule();
  }
  const notice = history.state?.notice;
  if (notice) showBanner(notice, "info");
  const ctx = {
    main,
    params: route ? route.re.exec(path).slice(1) : [],
    query: new URLSearchParams(location.search),
    signal: controller.signal,
    navigate,
    showBanner,
    clearBanner,
    every(fn, ms) {
      const id = setInterval(() => { if (!controller.signal.aborted) fn(); }, ms);
      controller.signal.addEventListener("abort", () => clearInterval(id));
    },
  };
  try {
    await (route ? route.page(ctx) : notFoundPage(ctx));
  } catch (err) {
    if (controller.signal.aborted || err.name === "AbortError") return;
    if (err.kind === "unauthorized") return; // handled by the 401 listener
    showBanner(`Something went wrong: ${err.message || err}`);
    console.error(err);
  }
}

/** Same-origin links inside the app move without a reload. */
document.addEventListener("click", (event) => {
  if (event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const a = event.target.closest("a[href]");
  if (!a || a.target || a.hasAttribute("download")) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || url.pathname.startsWith("/api/")) return;
  event.preventDefault();
  if (url.pathname + url.search !== location.pathname + location.search) {
    navigate(url.pathname + url.search);
  }
});

window.addEventListener("popstate", render);

onUnauthorized(() => {
  events.stop();
  renew.cancel();
  signOut();
  const next = location.pathname.startsWith("/signin") ? "/messages" : location.pathname;
  navigate(`/signin?next=${encodeURIComponent(next)}`, {
    replace: true, notice: "Your session has ended. Please sign in again.",
  });
});

// The stream's state, for the stylesheet and the browser tests.
document.body.dataset.stream = "down";
events.on("live", () => { document.body.dataset.stream = "live"; });
events.on("down", () => { document.body.dataset.stream = "down"; });

setInterval(() => refreshTimes(document.body), 30000);

render();
