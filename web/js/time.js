// time: reads the API's timestamps and writes them the way people read them.
//
// The API sends ISO-8601 UTC with microseconds and an offset
// ("2023-03-20T22:52:11.123456+00:00"); older data may have no fraction or
// no offset (read as UTC). Shown times are relative: `now` under a
// minute, `Nm` under an hour,
// `Nh` under a day, else `Mar 3` (with the year when it is not this year).
// A time in the future (clock skew) counts as now; never negative or blank.

const ISO = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/;

/** A Date for an API timestamp, or null when it cannot be read. */
export function parseTimestamp(text) {
  if (typeof text !== "string") return null;
  const m = ISO.exec(text.trim());
  if (!m) return null;
  const [, date, clock, fraction = "", zone = "Z"] = m;
  const millis = fraction ? fraction.slice(0, 4).padEnd(4, "0") : "";
  const offset = zone === "Z" || zone.includes(":") ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const seconds = clock.length === 5 ? `${clock}:00` : clock;
  const d = new Date(`${date}T${seconds}${millis}${offset}`);
  return Number.isNaN(d.getTime()) ? null : d;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** `now`, `Nm`, `Nh` or `Mar 3` for a Date relative to now (a Date too). */
export function relativeTime(date, now = new Date()) {
  const minutes = Math.max(0, Math.floor((now.getTime() - date.getTime()) / 60000));
  if (minutes < 1) return "now";
  if (minutes < 60) return `${minutes}m`;
  if (minutes < 24 * 60) return `${Math.floor(minutes / 60)}h`;
  const label = `${MONTHS[date.getMonth()]} ${date.getDate()}`;
  return date.getFullYear() === now.getFullYear() ? label : `${label}, ${date.getFullYear()}`;
}

/** The full local date and time, for the hover title. */
export function fullTime(date) {
  return date.toLocaleString("en-US", {
    weekday: "long", year: "numeric", month: "long", day: "numeric",
    hour: "numeric", minute: "2-digit", second: "2-digit", timeZoneName: "short",
  });
}

/**
 * A <time> element for an API timestamp: relative text, machine-readable
 * datetime, full date as the title. Unreadable input is shown as given.
 */
export function timeElement(text, now = new Date()) {
  const el = document.createElement("time");
  const date = parseTimestamp(text);
  if (!date) {
    el.textContent = text ? String(text) : "unknown time";
    return el;
  }
  el.dateTime = date.toISOString();
  el.dataset.ts = text;
  el.textContent = relativeTime(date, now);
  el.title = fullTime(date);
  return el;
}

/** Refreshes the relative text of every <time data-ts> under root. */
export function refreshTimes(root, now = new Date()) {
  for (const el of root.querySelectorAll("time[data-ts]")) {
    const date = parseTimestamp(el.dataset.ts);
    if (date) el.textContent = relativeTime(date, now);
  }
}
