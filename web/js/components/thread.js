// thread: the messages of one conversation, oldest first. Starts with the
// API's latest page, pages back through the cursor ("Load older messages")
// keeping the reader's place, and polls the latest page for new messages.
// Every message is shown once, whichever of the send reply and the poll
// brings it first (they are merged by message uuid).
import { listMessages } from "../api.js";
import { h, linkify, replace } from "../dom.js";
import { displayHandle } from "../session.js";
import { parseTimestamp, timeElement } from "../time.js";

const NEAR_BOTTOM_PX = 80;

function timeOf(m) {
  return parseTimestamp(m.created_at)?.getTime() ?? 0;
}

export class Thread {
  constructor({ signal, groupUuid }) {
    this.signal = signal;
    this.groupUuid = groupUuid;
    this.items = [];
    this.seen = new Set();
    this.nodes = new Map(); // message uuid -> its <li>
    this.cursor = null;
    this.otherHandle = "";
    this.onNew = null;
    this.polling = false;
    this.older = h("button", { type: "button", class: "button secondary older", hidden: true, onclick: () => this.loadOlder() }, "Load older messages");
    this.list = h("ol", { class: "messages", role: "log", "aria-label": "Messages" });
    this.el = h("div", { class: "thread" }, this.older, this.list);
  }

  /** Merges messages in, oldest first; returns the ones that were new. */
  merge(messages) {
    const fresh = (messages || []).filter((m) => m && m.uuid && !this.seen.has(m.uuid));
    for (const m of fresh) this.seen.add(m.uuid);
    this.items = [...this.items, ...fresh].sort((a, b) => timeOf(a) - timeOf(b));
    return fresh;
  }

  async loadLatest() {
    const { data, cursor } = await listMessages(this.groupUuid, null, { signal: this.signal });
    this.merge(data);
    this.cursor = cursor;
  }

  /** Prepends the next older page, keeping what the reader sees in place. */
  async loadOlder() {
    if (!this.cursor) return;
    this.older.disabled = true;
    this.older.textContent = "Loading…";
    try {
      const { data, cursor } = await listMessages(this.groupUuid, this.cursor, { signal: this.signal });
      const fromBottom = this.el.scrollHeight - this.el.scrollTop;
      this.merge(data);
      this.cursor = cursor;
      this.draw();
      this.el.scrollTop = this.el.scrollHeight - fromBottom;
    } finally {
      this.older.disabled = false;
      this.older.textContent = "Load older messages";
    }
  }

  /** Fetches the latest page and shows what is new. */
  async poll() {
    if (this.polling) return;
    this.polling = true;
    try {
      const { data } = await listMessages(this.groupUuid, null, { signal: this.signal });
      const fresh = this.add(data, { scroll: false });
      if (fresh.length && this.onNew) this.onNew(fresh);
    } finally {
      this.polling = false;
    }
  }

  /** Adds messages (from a send or a poll) and redraws if any was new. */
  add(messages, { scroll }) {
    const near = this.el.scrollHeight - this.el.scrollTop - this.el.clientHeight < NEAR_BOTTOM_PX;
    const fresh = this.merge(messages);
    if (!fresh.length) return fresh;
    this.draw();
    if (scroll || near) this.scrollToEnd();
    return fresh;
  }

  /** A participant other than `me`, from the messages (when the list lacks the group). */
  otherThan(me) {
    const m = this.items.find((x) => x.handle && x.handle !== me);
    return m ? { handle: m.handle, display_name: m.display_name } : null;
  }

  isMine(m) {
    return this.otherHandle ? m.handle !== this.otherHandle : m.handle === displayHandle();
  }

  scrollToEnd() {
    this.el.scrollTop = this.el.scrollHeight;
  }

  /** One message's list item (built once per message, then reused). */
  node(m) {
    let li = this.nodes.get(m.uuid);
    if (!li) {
      li = h("li", { class: this.isMine(m) ? "message mine" : "message", "data-uuid": m.uuid },
        h("div", { class: "meta" },
          h("span", { class: "name" }, m.display_name || m.handle),
          h("span", { class: "handle" }, `@${m.handle}`),
          timeElement(m.created_at)),
        h("p", { class: "text" }, linkify(m.message || "")));
      this.nodes.set(m.uuid, li);
    }
    return li;
  }

  /**
   * Brings the list in line with the items, inserting only the new
   * messages' nodes: what is already shown stays untouched, so a screen
   * reader announces just the new messages of the log.
   */
  draw() {
    this.older.hidden = !this.cursor;
    if (!this.items.length) {
      replace(this.list, h("li", { class: "muted empty" }, "No messages yet."));
      return;
    }
    this.list.querySelector("li.empty")?.remove();
    let ref = this.list.firstElementChild;
    for (const m of this.items) {
      const li = this.node(m);
      if (li === ref) ref = ref.nextElementSibling;
      else this.list.insertBefore(li, ref);
    }
  }
}
