// groups: the list of my conversations (newest first): the other user's
// name and @handle, the last message and its time, and how many messages
// are unread (bold row, a count; their sum leads the tab's title). It can page back
// through the API's cursor, refresh itself, and move a conversation to
// the top when a message is sent or arrives.
import { describeError, listGroups } from "../api.js";
import { avatar, h, replace } from "../dom.js";
import { setUnread } from "../title.js";
import { parseTimestamp, timeElement } from "../time.js";

/** Orders group rows newest first by their timestamp. */
function byNewest(a, b) {
  const ta = parseTimestamp(a.created_at)?.getTime() ?? 0;
  const tb = parseTimestamp(b.created_at)?.getTime() ?? 0;
  return tb - ta;
}

export class GroupsPanel {
  constructor({ activeUuid = null, heading = "Conversations", signal, top = null }) {
    this.activeUuid = activeUuid;
    this.items = [];
    this.cursor = null;
    this.loaded = false;
    this.signal = signal;
    this.list = h("ul", { class: "groups", "aria-labelledby": "groups-title" });
    this.more = h("button", { type: "button", class: "button secondary more", hidden: true, onclick: () => this.loadMore() }, "Load more conversations");
    this.status = h("p", { class: "muted groups-status", role: "status" }, "Loading conversations…");
    this.el = h("nav", { class: "groups-panel", "aria-labelledby": "groups-title" },
      h("h2", { id: "groups-title" }, heading), top, this.status, this.list, this.more);
  }

  /** The row for a conversation, if loaded. */
  find(uuid) {
    return this.items.find((g) => g.uuid === uuid) || null;
  }

  findByHandle(handle) {
    return this.items.find((g) => g.handle === handle) || null;
  }

  /** Loads the first page again, keeping older pages already shown. */
  async refresh() {
    const { data, cursor } = await listGroups(null, { signal: this.signal });
    const fresh = Array.isArray(data) ? data : [];
    const seen = new Set(fresh.map((g) => g.uuid));
    const older = this.loaded ? this.items.filter((g) => !seen.has(g.uuid)) : [];
    this.items = [...fresh, ...older].sort(byNewest);
    // The open conversation is being read (its page marks it so).
    const open = this.find(this.activeUuid);
    if (open && document.visibilityState === "visible") open.unread = 0;
    if (!this.loaded || this.items.length === fresh.length) this.cursor = cursor;
    this.loaded = true;
    this.draw();
  }

  async loadMore() {
    if (!this.cursor) return;
    this.more.disabled = true;
    try {
      const { data, cursor } = await listGroups(this.cursor, { signal: this.signal });
      const known = new Set(this.items.map((g) => g.uuid));
      this.items.push(...(data || []).filter((g) => !known.has(g.uuid)));
      this.cursor = cursor;
      this.draw();
    } catch (err) {
      this.status.textContent = describeError(err);
    } finally {
      this.more.disabled = false;
    }
  }

  /** Puts a row as the API lists it (from the event stream) in its place. */
  upsert(row) {
    if (!row?.uuid) return;
    const old = this.find(row.uuid);
    if (old && byNewest(old, row) < 0) return; // an older write than the one shown
    this.items = [{ ...old, ...row }, ...this.items.filter((g) => g.uuid !== row.uuid)].sort(byNewest);
    this.draw();
  }

  /** A new message from the other person in a conversation not being read:
      one more unread (each message counted once). */
  countUnread(uuid, messageUuid) {
    const row = this.find(uuid);
    this.counted ??= new Set();
    if (!row || this.counted.has(messageUuid)) return;
    this.counted.add(messageUuid);
    row.unread = (row.unread || 0) + 1;
    this.draw();
  }

  /** The conversation was read (here or in another tab). */
  markRead(uuid) {
    const row = this.find(uuid);
    if (!row || !row.unread) return;
    row.unread = 0;
    this.draw();
  }

  /** Moves a conversation to the top with its new last message. */
  bump(uuid, message, createdAt, other = {}) {
    const row = this.find(uuid) || { uuid, display_name: other.display_name, handle: other.handle };
    row.message = message;
    row.created_at = createdAt;
    this.items = [row, ...this.items.filter((g) => g.uuid !== uuid)];
    this.draw();
  }

  draw() {
    this.status.textContent = this.items.length ? "" : "No conversations yet.";
    this.status.hidden = this.items.length > 0;
    let total = 0;
    replace(this.list, this.items.map((g) => {
      const active = g.uuid === this.activeUuid;
      const unread = g.unread > 0 ? g.unread : 0;
      total += unread;
      const cls = `group${active ? " active" : ""}${unread ? " unread" : ""}`;
      return h("li", { class: cls, "data-uuid": g.uuid },
        h("a", { href: `/messages/${encodeURIComponent(g.uuid)}`, "aria-current": active ? "page" : null },
          avatar(g),
          h("span", { class: "group-text" }, h("span", { class: "group-head" },
            h("span", { class: "name" }, g.display_name || g.handle || "Unknown user"),
            h("span", { class: "handle" }, g.handle ? `@${g.handle}` : ""),
            timeElement(g.created_at)),
          h("span", { class: "group-foot" },
            h("span", { class: "last" }, g.message || ""),
            unread ? h("span", { class: "badge", "data-testid": "unread" },
              unread >= 100 ? "99+" : String(unread),
              h("span", { class: "visually-hidden" }, " unread")) : null))));
    }));
    this.more.hidden = !this.cursor;
    setUnread(total);
  }
}
