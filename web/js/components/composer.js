// composer: the message form. A textarea (placeholder
// `send a direct message...`), a counter of characters left (1024 minus
// the length in Unicode code points, marked when negative), and the
// `Message` button. Sending is blocked while the text is blank, too long,
// or a send is in flight. Enter sends, as in other chat apps; Shift+Enter
// starts a new line; Ctrl+Enter (or Cmd+Enter) sends too.
//
// Drafts: with a `draftKey`, what is typed is kept in localStorage under
// that key as it is typed, put back when the form is built again (a
// reload, coming back after signing in again when a session ended) and
// dropped once the message is sent.
import { describeError } from "../api.js";
import { h } from "../dom.js";

export const MAX_CHARS = 1024;

/** Characters left for a text, counted in code points as the API does. */
export function charsLeft(text) {
  return MAX_CHARS - [...text].length;
}

/**
 * Builds the form. `send(text)` does the request and resolves when the
 * message is stored (rejects with an ApiError otherwise). `label` names
 * the recipient for screen readers.
 */
function loadDraft(key) {
  try { return (key && localStorage.getItem(key)) || ""; } catch { return ""; }
}

function saveDraft(key, text) {
  if (!key) return;
  try {
    if (text) localStorage.setItem(key, text);
    else localStorage.removeItem(key);
  } catch { /* storage full or unavailable: no draft */ }
}

/** The localStorage key of a user's draft for a conversation (or a new one). */
export function draftKey(handle, where) {
  return `cruddur_draft:${handle}:${where}`;
}

export function composer({ label, send, draftKey: key = null }) {
  const textarea = h("textarea", {
    id: "composer-text", name: "message", rows: 3, placeholder: "send a direct message...",
    "aria-describedby": "composer-count-text composer-hint",
  });
  const count = h("output", { id: "composer-count", class: "count", for: "composer-text", "data-testid": "char-count" }, String(MAX_CHARS));
  const countText = h("span", { id: "composer-count-text", class: "visually-hidden" }, `${MAX_CHARS} characters left`);
  const button = h("button", { type: "submit", class: "button", disabled: true }, "Message");
  const error = h("p", { class: "form-error", role: "alert", id: "composer-error" });
  let sending = false;

  const update = () => {
    const left = charsLeft(textarea.value);
    const blank = textarea.value.trim() === "";
    count.textContent = String(left);
    countText.textContent = left < 0 ?
      `${-left} characters over the limit of ${MAX_CHARS}` : `${left} characters left`;
    count.classList.toggle("over", left < 0);
    if (left < 0) textarea.setAttribute("aria-invalid", "true");
    else textarea.removeAttribute("aria-invalid");
    button.disabled = sending || blank || left < 0;
  };

  const submit = async () => {
    update();
    if (button.disabled) return;
    const text = textarea.value;
    sending = true;
    error.textContent = "";
    update();
    try {
      await send(text);
      if (textarea.value === text) textarea.value = "";
      saveDraft(key, textarea.value);
    } catch (err) {
      if (err.kind !== "unauthorized") error.textContent = describeError(err);
    } finally {
      sending = false;
      update();
      textarea.focus();
    }
  };

  textarea.addEventListener("input", () => {
    if (error.textContent) error.textContent = "";
    saveDraft(key, textarea.value);
    update();
  });
  textarea.addEventListener("keydown", (e) => {
    if (e.key !== "Enter" || e.isComposing || e.shiftKey || e.altKey) return;
    e.preventDefault(); // Enter, Ctrl+Enter, Cmd+Enter: send
    submit();
  });
  const form = h("form", {
    class: "composer", "aria-label": "Send a message", novalidate: true,
    onsubmit: (e) => { e.preventDefault(); submit(); },
  },
  h("label", { for: "composer-text", class: "visually-hidden" }, label),
  textarea,
  h("div", { class: "composer-bar" },
    h("span", { id: "composer-hint", class: "hint" }, "Enter sends · Shift+Enter for a new line"),
    h("span", { class: "count-wrap" }, count, countText),
    button),
  error);
  textarea.value = loadDraft(key);
  update();
  return { form, textarea, focus: () => textarea.focus() };
}
