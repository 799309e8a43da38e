// dom: builds elements from JavaScript values. Text always goes in as text
// nodes, never as HTML, so a message can never inject markup.

/**
 * h("a", {href: "/x", class: "link"}, "text", child) -> <a ...>.
 * Attributes starting with "on" become event listeners; `false`, `null`
 * and `undefined` attributes are left out; `true` sets an empty attribute.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on") && typeof value === "function") {
      el.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name === "dataset") {
      Object.assign(el.dataset, value);
    } else {
      el.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

/** Appends children (nodes, strings, numbers, nested arrays; null skipped). */
export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** Replaces every child of parent with the given ones. */
export function replace(parent, ...children) {
  parent.replaceChildren();
  return append(parent, children);
}

/** Up to two initials of a name, for an avatar ("Andrew Bayko" -> "AB"). */
export function initials(name) {
  return String(name).split(/\s+/).filter(Boolean).slice(0, 2)
    .map((w) => [...w][0].toUpperCase()).join("") || "?";
}

/**
 * An avatar for a user: their initials on one of AVATAR_COLOURS colours
 * chosen from the handle, so that two people with the same initials
 * (Andrew Brown and Andrew Bayko) still look different. Colours are
 * classes (.avatar.c0 ...): the page's CSP allows no inline styles.
 */
const AVATAR_COLOURS = 10;
export function avatar(user) {
  const handle = String(user.handle || user.display_name || "");
  let hash = 0;
  for (const ch of handle) hash = (hash * 31 + ch.codePointAt(0)) >>> 0;
  const colour = hash % AVATAR_COLOURS;
  return h("span", { class: `avatar c${colour}`, "aria-hidden": "true", "data-colour": colour },
    initials(user.display_name || user.handle || "?"));
}

const URL_RE = /\bhttps?:\/\/[^\s<>"']+/gi;

/**
 * A message's text with its http and https addresses as links (opening in
 * a new tab, rel="noopener noreferrer"). Built from text nodes and <a>
 * elements: the text is never parsed as HTML.
 */
export function linkify(value) {
  const text = String(value);
  const out = [];
  let last = 0;
  for (const m of text.matchAll(URL_RE)) {
    let url = m[0];
    while (/[.,!?;:)\]}]$/.test(url)) url = url.slice(0, -1); // trailing punctuation
    let ok = false;
    try { ok = ["http:", "https:"].includes(new URL(url).protocol); } catch { ok = false; }
    if (!ok) continue;
    if (m.index > last) out.push(text.slice(last, m.index));
    out.push(h("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, url));
    last = m.index + url.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}
