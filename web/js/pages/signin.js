// signin: the sign-in page. Two modes, chosen by the server's settings
// (GET /api/config, see api.js):
//   dev      no Cognito pool: pick a user, POST /api/dev/signin mints a token
//   cognito  username + password through Cognito's InitiateAuth
// Without a config endpoint the page assumes dev mode and offers the demo
// users that exist; a 404 from /api/dev/signin for a user who exists then
// means the server uses Cognito.
import { ApiError, devSignin, serverConfig, userShort } from "../api.js";
import { avatar, h, replace } from "../dom.js";
import { cognitoSignIn, isSignedIn, signIn } from "../session.js";
import { setTitle, setUnread } from "../title.js";

const DEMO_HANDLES = ["andrewbrown", "bayko", "londo"];

/** Where to go after signing in: ?next= when it is a path of this app. */
function nextPath(ctx) {
  const next = ctx.query.get("next") || "";
  return /^\/(?!\/)/.test(next) && !next.startsWith("/signin") ? next : "/messages";
}

/** Normalises the config endpoint's answer: {mode, cognito, users}. */
export function readConfig(config) {
  if (!config || typeof config !== "object") return { mode: "dev", cognito: null, users: null };
  const mode = config.auth_mode || config.auth || config.mode || "dev";
  const c = config.cognito || {};
  const cognito = mode === "cognito" ? {
    region: c.region || config.region,
    clientId: c.client_id || c.clientId || config.client_id,
    endpoint: c.endpoint || config.endpoint,
  } : null;
  const users = Array.isArray(config.dev_users) ? config.dev_users : Array.isArray(config.users) ? config.users : null;
  return { mode, cognito, users };
}

/** The demo users that exist on this server (from the public short endpoint). */
async function demoUsers() {
  const found = await Promise.all(DEMO_HANDLES.map((handle) =>
    userShort(handle).then((r) => r.data).catch(() => null)));
  return found.filter(Boolean);
}

export async function signinPage(ctx) {
  setTitle("Sign in · Cruddur");
  setUnread(0);
  if (isSignedIn() && !ctx.query.has("next")) {
    ctx.navigate("/messages", { replace: true });
    return;
  }
  const status = h("p", { class: "form-error", role: "alert", id: "signin-error" });
  const card = h("section", { class: "card signin", "aria-labelledby": "signin-title" },
    h("h1", { id: "signin-title" }, "Sign in to Cruddur"), h("p", { class: "muted" }, "Loading…"));
  replace(ctx.main, h("div", { class: "signin-wrap" }, card));

  let config;
  try {
    config = readConfig(await serverConfig());
  } catch (err) {
    config = readConfig(null);
    if (err instanceof ApiError && err.kind === "network") {
      ctx.showBanner("Cannot reach the server. Check your connection and reload the page.");
    }
  }
  if (ctx.signal.aborted) return;
  const done = (token, handle) => {
    signIn(token, handle);
    ctx.navigate(nextPath(ctx), { replace: true });
  };
  if (config.mode === "cognito") drawCognito(ctx, card, status, config.cognito, done);
  else await drawDev(ctx, card, status, config.users, done);
}

async function drawDev(ctx, card, status, users, done) {
  const list = users || await demoUsers();
  if (ctx.signal.aborted) return;
  const attempt = async (handle, button) => {
    status.textContent = "";
    button.disabled = true;
    try {
      const { data } = await devSignin(handle);
      if (!data?.access_token) throw new Error("the server sent no token");
      done(data.access_token, handle);
    } catch (err) {
      button.disabled = false;
      status.textContent = await devError(err, handle);
    }
  };
  const input = h("input", {
    id: "signin-handle", name: "handle", autocomplete: "username", required: true,
    autocapitalize: "none", spellcheck: "false", placeholder: "handle",
  });
  const other = h("form", {
    class: "inline-form", onsubmit: (e) => {
      e.preventDefault();
      const handle = input.value.trim().replace(/^@/, "");
      if (handle) attempt(handle, e.submitter || other.querySelector("button"));
    },
  },
  h("label", { for: "signin-handle" }, "Or another handle"),
  h("div", { class: "row" }, input, h("button", { class: "button", type: "submit" }, "Sign in")));

  replace(card,
    h("h1", { id: "signin-title" }, "Sign in to Cruddur"),
    h("p", { class: "muted" },
      "Development sign-in: this server runs without Amazon Cognito, so choose who you are."),
    list.length ? h("ul", { class: "user-picks", "aria-label": "Users" },
      list.map((u) => h("li", {},
        h("button", {
          type: "button", class: "user-pick", "data-handle": u.handle,
          onclick: (e) => attempt(u.handle, e.currentTarget),
        },
        avatar(u),
        h("span", { class: "who" },
          h("span", { class: "name" }, u.display_name || u.handle),
          h("span", { class: "handle" }, `@${u.handle}`)))))) :
      h("p", { class: "muted" }, "No demo users were found; type a handle below."),
    other, status);
}

/** The sentence for a failed dev sign-in. */
async function devError(err, handle) {
  if (!(err instanceof ApiError)) return `Sign-in failed: ${err.message}`;
  if (err.kind === "network") return "Cannot reach the server. Check your connection.";
  if (err.kind === "not_found") {
    const exists = await userShort(handle).then(() => true).catch(() => false);
    return exists ?
      "Development sign-in is turned off on this server (it uses Amazon Cognito)." :
      `There is no user @${handle}.`;
  }
  if (err.kind === "invalid") return "Please type a handle.";
  return `Sign-in failed (${err.status}).`;
}

function drawCognito(ctx, card, status, cognito, done) {
  if (!cognito?.clientId || !(cognito.region || cognito.endpoint)) {
    replace(card, h("h1", { id: "signin-title" }, "Sign in to Cruddur"),
      h("p", {}, "This server uses Amazon Cognito but does not say which app client; ask its operator."));
    return;
  }
  const user = h("input", { id: "signin-user", name: "username", autocomplete: "username", required: true, autocapitalize: "none" });
  const pass = h("input", { id: "signin-pass", name: "password", type: "password", autocomplete: "current-password", required: true });
  const button = h("button", { class: "button", type: "submit" }, "Sign in");
  const form = h("form", {
    class: "stack", onsubmit: async (e) => {
      e.preventDefault();
      status.textContent = "";
      button.disabled = true;
      try {
        done(await cognitoSignIn(cognito, user.value.trim(), pass.value), null);
      } catch (err) {
        button.disabled = false;
        status.textContent = err.message;
        pass.focus();
      }
    },
  },
  h("label", { for: "signin-user" }, "Username or email"), user,
  h("label", { for: "signin-pass" }, "Password"), pass,
  button);
  replace(card, h("h1", { id: "signin-title" }, "Sign in to Cruddur"), form, status);
  user.focus();
}
