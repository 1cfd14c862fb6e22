// The control API as the page uses it: relative URLs, JSON bodies, the optional control token.
//
// The page lives at <base>/_mockcdr/ui/, so "../" is the control API of the same session (the
// root's, or /_s/{id}/'s), under whatever prefix a proxy adds. Nothing else is ever fetched.

export const CONTROL = new URL("../", location.href);
const TOKEN_KEY = "mockcdr.controlToken";

export class ApiError extends Error {
  constructor(status, kind, message) {
    super(message);
    this.status = status;
    this.kind = kind;
  }
}

function stored() {
  try {
    return sessionStorage.getItem(TOKEN_KEY) || "";
  } catch (e) {
    return "";       // storage disabled: the token lasts as long as the page
  }
}

let current = stored();

export function token() {
  return current;
}

export function setToken(value) {
  current = value || "";
  try {
    if (current) sessionStorage.setItem(TOKEN_KEY, current);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch (e) {
    /* kept in memory only */
  }
}

function headers(extra) {
  const out = Object.assign({ Accept: "application/json" }, extra);
  if (current) out.Authorization = "Bearer " + current;
  return out;
}

export function url(path, query) {
  const u = new URL(path, CONTROL);
  for (const [k, v] of Object.entries(query || {})) {
    if (v !== undefined && v !== null && v !== "") u.searchParams.set(k, String(v));
  }
  return u;
}

// One control call. ``body`` (when given) goes as JSON with its Content-Type; a refusal raises
// ApiError carrying the API's own message.
export async function call(method, path, { query, body, withTotal } = {}) {
  const init = { method, headers: headers(), credentials: "same-origin", cache: "no-store" };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let resp;
  try {
    resp = await fetch(url(path, query), init);
  } catch (e) {
    throw new ApiError(0, "offline", "the mock does not answer (" + e.message + ")");
  }
  const text = await resp.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch (e) {
      data = text;
    }
  }
  if (!resp.ok) {
    const err = data && data.error ? data.error : {};
    throw new ApiError(resp.status, err.kind || "http_" + resp.status,
                       err.message || (typeof data === "string" && data) || resp.statusText);
  }
  if (withTotal) return { items: data, total: Number(resp.headers.get("X-Total-Count") || data.length) };
  return data;
}

export const get = (path, query) => call("GET", path, { query });
// A list with ``limit``: { items, total } (how many matched in all).
export const list = (path, query) => call("GET", path, { query, withTotal: true });
export const send = (method, path, body) => call(method, path, { body });

export async function text(path) {
  const resp = await fetch(url(path), { headers: headers(), cache: "no-store" });
  if (!resp.ok) throw new ApiError(resp.status, "http_" + resp.status, resp.statusText);
  return resp.text();
}

// A file link that works when a control token is set too (a plain link cannot send it): the
// file is fetched with the token and handed to the browser as a download.
export async function download(path, fallbackName) {
  const resp = await fetch(url(path), { headers: headers(), cache: "no-store" });
  if (!resp.ok) {
    let message = resp.statusText;
    try {
      message = (await resp.json()).error.message;
    } catch (e) {
      /* not the API's JSON */
    }
    throw new ApiError(resp.status, "http_" + resp.status, message);
  }
  const disposition = resp.headers.get("Content-Disposition") || "";
  const match = /filename="([^"]+)"/.exec(disposition);
  const blob = await resp.blob();
  const href = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = href;
  a.download = match ? match[1] : fallbackName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10000);
}
