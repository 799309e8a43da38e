// messages: the three message pages.
//   /messages                 my conversations, and a way to start one
//   /messages/<group uuid>    the conversation list beside the conversation
//   /messages/new/<handle>    the other user and the form; the first message
//                             creates (or continues) the conversation
// New messages and list rows arrive on the event stream (events.js) as they
// are written. Only while the stream is down do the pages poll: the open
// conversation every second, the conversation list every five seconds; and
// when it comes back (or asks for a resync) they reload once to catch up.
import * as events from "../events.js";
import { ApiError, describeError, markRead, sendToGroup, sendToHandle, userShort } from "../api.js";
import { composer, draftKey } from "../components/composer.js";
import { GroupsPanel } from "../components/groups.js";
import { Thread } from "../components/thread.js";
import { avatar, h, replace } from "../dom.js";
import { displayHandle } from "../session.js";
import { setTitle } from "../title.js";

const MESSAGE_POLL_MS = 1000;
const GROUP_POLL_MS = 5000;

/** Runs a background refresh: network trouble shows (and clears) the banner. */
function backgroundTask(ctx, fn) {
  let failing = false;
  return async () => {
    try {
      await fn();
      if (failing) ctx.clearBanner();
      failing = false;
    } catch (err) {
      if (ctx.signal.aborted || err.name === "AbortError" || err.kind === "unauthorized") return;
      failing = true;
      ctx.showBanner(describeError(err));
    }
  };
}

/** Listens to an event type while the page is shown. */
function listen(ctx, type, fn) {
  const off = events.on(type, fn);
  ctx.signal.addEventListener("abort", off);
}

/** Runs fn every `ms` while the event stream is down, and once each time it
    comes back up or asks for a resync. */
function whileDown(ctx, fn, ms) {
  ctx.every(() => { if (!events.isLive()) fn(); }, ms);
  listen(ctx, "live", fn);
  listen(ctx, "resync", fn);
}

/** Loads the groups panel and keeps it fresh. */
async function startGroups(ctx, panel) {
  const refresh = backgroundTask(ctx, () => panel.refresh());
  listen(ctx, "group", (row) => panel.upsert(row));
  listen(ctx, "message", (m) => {
    const group = m.message_group_uuid;
    if (!panel.find(group)) return; // its "group" event brings the row
    panel.bump(group, m.message, m.created_at);
    const reading = group === panel.activeUuid && document.visibilityState === "visible";
    if (m.handle !== displayHandle() && !reading) panel.countUnread(group, m.uuid);
  });
  listen(ctx, "read", (r) => panel.markRead(r.message_group_uuid));
  await refresh();
  whileDown(ctx, refresh, GROUP_POLL_MS);
}

function userCard(user) {
  return h("div", { class: "user-card" },
    avatar(user),
    h("span", { class: "who" },
      h("span", { class: "name" }, user.display_name || user.handle),
      h("span", { class: "handle" }, `@${user.handle}`)));
}

/** The two-column layout: conversations on the left, the page on the right. */
function layout(ctx, panel, pane, { paneFirstOnPhone }) {
  replace(ctx.main, h("div", { class: `messages-layout${paneFirstOnPhone ? " pane-first" : ""}` },
    panel.el, pane));
}

/** "Start a conversation with": at the top of the conversation list, so
    that it can be reached without scrolling past every conversation. */
function startForm(ctx) {
  const input = h("input", {
    id: "new-handle", name: "handle", placeholder: "handle", autocapitalize: "none",
    spellcheck: "false", required: true,
  });
  return h("form", {
    class: "inline-form start-form", onsubmit: (e) => {
      e.preventDefault();
      const handle = input.value.trim().replace(/^@/, "");
      if (handle) ctx.navigate(`/messages/new/${encodeURIComponent(handle)}`);
    },
  },
  h("label", { for: "new-handle" }, "Start a conversation with"),
  h("div", { class: "row" }, input, h("button", { class: "button", type: "submit" }, "Start")));
}

export async function messagesPage(ctx) {
  setTitle("Messages · Cruddur");
  const panel = new GroupsPanel({ heading: "Messages", signal: ctx.signal, top: startForm(ctx) });
  const pane = h("section", { class: "pane pane-empty", "aria-label": "Conversation" },
    h("p", { class: "muted" }, "Choose a conversation, or start a new one."));
  layout(ctx, panel, pane, { paneFirstOnPhone: false });
  await startGroups(ctx, panel);
}

/** The conversation view for /messages/<uuid>. */
export async function conversationPage(ctx) {
  const [groupUuid] = ctx.params;
  setTitle("Conversation · Cruddur");
  const panel = new GroupsPanel({ activeUuid: groupUuid, signal: ctx.signal, top: startForm(ctx) });
  const title = h("h1", { id: "conversation-title", tabindex: "-1" }, "Conversation");
  const header = h("header", { class: "pane-header" },
    h("a", { class: "back", href: "/messages", "aria-label": "Back to conversations" }, "←"), title);
  const body = h("div", { class: "pane-body" }, h("p", { class: "muted" }, "Loading messages…"));
  const pane = h("section", { class: "pane", "aria-labelledby": "conversation-title" }, header, body);
  layout(ctx, panel, pane, { paneFirstOnPhone: true });
  const groupsLoaded = startGroups(ctx, panel);

  const thread = new Thread({ signal: ctx.signal, groupUuid });
  try {
    await thread.loadLatest();
  } catch (err) {
    if (err instanceof ApiError && err.kind === "not_found") {
      setTitle("Conversation not found · Cruddur");
      title.textContent = "Conversation not found";
      replace(body, h("div", { class: "page-message" },
        h("p", {}, "This conversation was not found: it does not exist, or you are not part of it."),
        h("p", {}, h("a", { class: "button", href: "/messages" }, "Back to your messages"))));
      title.focus();
      return;
    }
    if (err.kind === "unauthorized" || ctx.signal.aborted) return;
    replace(body, h("p", { class: "form-error" }, describeError(err)));
    ctx.showBanner(describeError(err));
    return;
  }
  await groupsLoaded;
  if (ctx.signal.aborted) return;

  // The other participant: from my conversation list, else from the messages.
  const me = displayHandle();
  const row = panel.find(groupUuid);
  const other = row ? { handle: row.handle, display_name: row.display_name } :
    thread.otherThan(me) || { handle: "", display_name: "" };
  thread.otherHandle = other.handle;
  if (other.handle) {
    title.textContent = other.display_name || other.handle;
    title.append(" ", h("span", { class: "handle" }, `@${other.handle}`));
    setTitle(`${other.display_name || other.handle} · Cruddur`);
  }
  const form = composer({
    label: `Message to ${other.display_name || other.handle || "this conversation"}`,
    draftKey: draftKey(me, groupUuid),
    send: async (text) => {
      const { data } = await sendToGroup(groupUuid, text);
      thread.add([data], { scroll: true });
      panel.bump(groupUuid, data.message, data.created_at, other);
    },
  });
  // Reading: the newest message shown is read while the tab is in view.
  let readUpTo = "";
  const readNow = () => {
    const newest = thread.items[thread.items.length - 1];
    if (!newest || document.visibilityState !== "visible" || newest.created_at <= readUpTo) return;
    readUpTo = newest.created_at;
    panel.markRead(groupUuid);
    markRead(groupUuid, newest.created_at).catch(() => { readUpTo = ""; });
  };
  const onVisible = () => readNow();
  document.addEventListener("visibilitychange", onVisible);
  ctx.signal.addEventListener("abort", () => document.removeEventListener("visibilitychange", onVisible));
  thread.onNew = (fresh) => {
    const last = fresh[fresh.length - 1];
    panel.bump(groupUuid, last.message, last.created_at, other);
    readNow();
  };
  replace(body, thread.el, form.form);
  thread.draw();
  thread.scrollToEnd();
  form.focus();
  readNow();
  listen(ctx, "message", (m) => {
    if (m.message_group_uuid !== groupUuid) return;
    const fresh = thread.add([m], { scroll: false });
    if (fresh.length && thread.onNew) thread.onNew(fresh);
  });
  whileDown(ctx, backgroundTask(ctx, () => thread.poll()), MESSAGE_POLL_MS);
}

/** /messages/new/<handle>: the first message starts (or continues) a conversation. */
export async function newConversationPage(ctx) {
  const handle = ctx.params[0].replace(/^@/, "");
  setTitle(`New message · Cruddur`);
  const panel = new GroupsPanel({ signal: ctx.signal, top: startForm(ctx) });
  const title = h("h1", { id: "new-title", tabindex: "-1" }, "New message");
  const body = h("div", { class: "pane-body" }, h("p", { class: "muted" }, "Loading…"));
  const pane = h("section", { class: "pane", "aria-labelledby": "new-title" },
    h("header", { class: "pane-header" },
      h("a", { class: "back", href: "/messages", "aria-label": "Back to conversations" }, "←"), title),
    body);
  layout(ctx, panel, pane, { paneFirstOnPhone: true });
  const groupsLoaded = startGroups(ctx, panel);

  let user;
  try {
    user = (await userShort(handle)).data;
  } catch (err) {
    if (ctx.signal.aborted) return;
    if (err instanceof ApiError && err.kind === "not_found") {
      title.textContent = "User not found";
      replace(body, h("div", { class: "page-message" },
        h("p", {}, `No user @${handle} was found.`),
        h("p", {}, h("a", { class: "button", href: "/messages" }, "Back to your messages"))));
      title.focus();
      return;
    }
    replace(body, h("p", { class: "form-error" }, describeError(err)));
    return;
  }
  if (ctx.signal.aborted) return;
  title.textContent = `New message to ${user.display_name || user.handle}`;
  setTitle(`Message ${user.display_name || user.handle} · Cruddur`);
  const note = h("p", { class: "muted existing", hidden: true });
  const form = composer({
    label: `Message to ${user.display_name || user.handle}`,
    draftKey: draftKey(displayHandle(), `new:${user.handle}`),
    send: async (text) => {
      const { data } = await sendToHandle(user.handle, text);
      if (!data?.message_group_uuid) throw new Error("the server did not say which conversation");
      ctx.navigate(`/messages/${encodeURIComponent(data.message_group_uuid)}`);
    },
  });
  replace(body, h("div", { class: "new-conversation" }, userCard(user), note), form.form);
  form.focus();
  await groupsLoaded;
  const existing = panel.findByHandle(user.handle);
  if (existing && !ctx.signal.aborted) {
    replace(note, `You already talk with ${user.display_name || user.handle}: your message is added to `,
      h("a", { href: `/messages/${encodeURIComponent(existing.uuid)}` }, "that conversation"), ".");
    note.hidden = false;
  }
}
