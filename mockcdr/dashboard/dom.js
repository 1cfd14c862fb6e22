// DOM and formatting helpers: elements built from data (never from HTML strings), times, keyed rows.

// h("td", {class: "x", onclick: f}, "text", node, [more]) -> an element; text is always text.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (v === true) el.setAttribute(k, "");
    else el.setAttribute(k, v);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

export const $ = (sel, root) => (root || document).querySelector(sel);

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

export function badge(text, kind) {
  return h("span", { class: "badge " + (kind || slug(text)) }, text);
}

export const slug = (text) => String(text).toLowerCase().replace(/[^a-z0-9]+/g, "-");

// Times are the mock's virtual UTC: "2026-04-16 12:00:05" (milliseconds when there are any).
export function fmtTime(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  if (isNaN(d)) return String(iso);
  const text = d.toISOString().replace("T", " ");
  return text.endsWith(".000Z") ? text.slice(0, 19) : text.slice(0, 23);
}

export function fmtSpan(seconds) {
  const s = Math.abs(seconds);
  if (s < 1) return "now";
  if (s < 90) return Math.round(s) + " s";
  if (s < 5400) return Math.round(s / 60) + " min";
  if (s < 172800) return (s / 3600).toFixed(s < 36000 ? 1 : 0) + " h";
  return (s / 86400).toFixed(s < 864000 ? 1 : 0) + " d";
}

// "in 5 s" or "3 min ago", measured on the virtual clock.
export function relative(iso, nowMs) {
  if (!iso || nowMs === null || nowMs === undefined) return "";
  const delta = (new Date(iso).getTime() - nowMs) / 1000;
  if (Math.abs(delta) < 1) return "due now";
  return delta > 0 ? "in " + fmtSpan(delta) : fmtSpan(delta) + " ago";
}

export function fmtBytes(n) {
  if (n === null || n === undefined) return "";
  if (n < 1024) return n + " B";
  if (n < 1048576) return (n / 1024).toFixed(1) + " kB";
  return (n / 1048576).toFixed(1) + " MB";
}

export const shortId = (id) => (String(id).length > 13 ? String(id).slice(0, 8) + "…" : String(id));

// Keyed rows: a row is rebuilt only when its signature changes, so a row a user is working in
// (a select, an open <details>) survives the polls that bring nothing new for it.
export class Rows {
  constructor(container, build, signature) {
    this.container = container;
    this.build = build;
    this.signature = signature || ((item) => JSON.stringify(item));
    this.rows = new Map();
  }

  sync(items, keyOf) {
    const seen = new Set();
    let previous = null;
    for (const item of items) {
      const key = String(keyOf(item));
      seen.add(key);
      const sig = this.signature(item);
      let row = this.rows.get(key);
      if (!row || row.sig !== sig) {
        const el = this.build(item);
        el.dataset.key = key;
        if (row) row.el.replaceWith(el);
        row = { el, sig };
        this.rows.set(key, row);
      }
      const wanted = previous ? previous.nextSibling : this.container.firstChild;
      if (wanted !== row.el) this.container.insertBefore(row.el, wanted);
      previous = row.el;
    }
    for (const [key, row] of this.rows) {
      if (!seen.has(key)) {
        row.el.remove();
        this.rows.delete(key);
      }
    }
  }
}

// A message under a form or panel, cleared by the next success.
export function say(el, message, kind) {
  if (!el) return;
  el.textContent = message || "";
  el.className = "note " + (kind || (message ? "error" : ""));
}
