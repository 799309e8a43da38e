// api: the Cruddur HTTP API (spec section 4) from the browser. Every call
// sends the access token kept in localStorage["access_token"] and turns
// failures into an ApiError whose `kind` the pages switch on:
//   "network"      the server could not be reached
//   "unauthorized" 401: the token is missing, expired or refused
//   "not_found"    404
//   "invalid"      422: `codes` lists the validation codes
//   "server"       anything else
import { getToken } from "./session.js";

export class ApiError extends Error {
  constructor(kind, status, message, codes = []) {
    super(message);
    this.name = "ApiError";
    this.kind = kind;
    this.status = status;
    this.codes = codes;
  }
}

/** Words for the API's validation codes (the reference's misspelling too). */
const CODE_WORDS = {
  message_blank: "The message is empty.",
  message_exceed_max_chars: "The message is longer than 1024 characters.",
  message_group_uuid_blank: "No conversation was given.",
  user_receiver_handle_blank: "No recipient was given.",
  user_reciever_handle_blank: "No recipient was given.",
  user_receiver_is_self: "You cannot send a message to yourself.",
};

/** One sentence per validation code; unknown codes are turned into words. */
export function describeCodes(codes) {
  return codes.map((code) => {
    if (CODE_WORDS[code]) return CODE_WORDS[code];
    const words = String(code).replace(/_/g, " ").trim();
    return words ? `${words[0].toUpperCase()}${words.slice(1)}.` : "The request was refused.";
  });
}

/** A sentence describing any error, for the page's banner. */
export function describeError(err) {
  if (!(err instanceof ApiError)) return `Something went wrong: ${err.message || err}`;
  switch (err.kind) {
    case "network": return "Cannot reach the server. Check your connection; Cruddur keeps trying.";
    case "unauthorized": return "Your session has ended. Please sign in again.";
    case "not_found": return "Not found.";
    case "invalid": return describeCodes(err.codes).join(" ");
    default: return `The server had a problem (${err.status}). Please try again.`;
  }
}

/** Listeners told about every 401, so the app can go back to sign-in. */
const unauthorizedListeners = new Set();
export function onUnauthorized(fn) {
  unauthorizedListeners.add(fn);
  return () => unauthorizedListeners.delete(fn);
}

/**
 * Sends one request. Returns {data, cursor} where cursor is the
 * X-Next-Cursor header (null when there are no older items).
 */
export async function request(method, path, body, { auth = true, signal } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const token = getToken();
  if (auth && token) headers.Authorization = `Bearer ${token}`;
  let res;
  try {
    res = await fetch(path, {
      method, headers, signal, cache: "no-store",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    if (e.name === "AbortError") throw e;
    throw new ApiError("network", 0, e.message || "network error");
  }
  let data = null;
  const text = await res.text().catch(() => "");
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (res.ok) return { data, cursor: res.headers.get("X-Next-Cursor") };
  if (res.status === 401) {
    const err = new ApiError("unauthorized", 401, "unauthorized");
    if (auth) for (const fn of unauthorizedListeners) fn(err);
    throw err;
  }
  if (res.status === 404) throw new ApiError("not_found", 404, "not found");
  if (res.status === 422) {
    const codes = Array.isArray(data) ? data : Array.isArray(data?.errors) ? data.errors : [];
    throw new ApiError("invalid", 422, "invalid", codes.map(String));
  }
  const message = (data && (data.message || data.error)) || res.statusText || "error";
  throw new ApiError(res.status >= 500 ? "server" : "client", res.status, message);
}

const withCursor = (path, before) =>
  before ? `${path}?before=${encodeURIComponent(before)}` : path;

/** My conversations, newest first: {data: [...], cursor}. */
export const listGroups = (before, opts) =>
  request("GET", withCursor("/api/message_groups", before), undefined, opts);

/** A conversation's messages (latest page, oldest first): {data, cursor}. */
export const listMessages = (groupUuid, before, opts) =>
  request("GET", withCursor(`/api/messages/${encodeURIComponent(groupUuid)}`, before),
    undefined, opts);

/** Appends to a conversation. */
export const sendToGroup = (groupUuid, message) =>
  request("POST", "/api/messages", { message, message_group_uuid: groupUuid });

/** Moves my read position in a conversation to a message's created_at. */
export const markRead = (groupUuid, createdAt) =>
  request("POST", `/api/message_groups/${encodeURIComponent(groupUuid)}/read`,
    createdAt ? { created_at: createdAt } : undefined);

/** Starts (or continues) the conversation with a handle. */
export const sendToHandle = (handle, message) =>
  request("POST", "/api/messages", { message, handle });

/** Public profile {uuid, handle, display_name}. */
export const userShort = (handle) =>
  request("GET", `/api/users/@${encodeURIComponent(handle)}/short`, undefined, { auth: false });

/** The server's sign-in settings, or null when it has no config endpoint. */
export async function serverConfig() {
  try {
    return (await request("GET", "/api/config", undefined, { auth: false })).data;
  } catch (e) {
    if (e instanceof ApiError && (e.kind === "not_found" || e.kind === "client")) return null;
    throw e;
  }
}

/** Dev identity mode: a token for a handle. */
export const devSignin = (handle) =>
  request("POST", "/api/dev/signin", { handle }, { auth: false });
