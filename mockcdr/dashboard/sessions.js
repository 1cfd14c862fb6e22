// The sessions panel: every session of the server with a link to its own dashboard, made and
// deleted from here; and this session's API coverage where the server reports it.
import { get, send } from "./api.js";
import { $, Rows, badge, clear, fmtBytes, fmtSpan, fmtTime, h, say } from "./dom.js";

const VOLATILE = ["last_used", "expires_in", "memory_bytes", "clock"];

export class SessionsPanel {
  constructor(app) {
    this.app = app;
    this.note = $("#sessions-note");
    this.rows = new Rows($("#sessions-rows"), (s) => this.row(s), (s) => JSON.stringify(
      Object.fromEntries(Object.entries(s).filter(([k]) => !VOLATILE.includes(k)))));
    $("#session-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      this.create();
    });
  }

  // Where a session's dashboard is, relative to this server's root as this page sees it.
  link(session) {
    return this.app.root + (session.default ? "" : "/_s/" + encodeURIComponent(session.id)) + "/_mockcdr/ui/";
  }

  // Every fifth poll (the list can hold a thousand sessions), or at once after an action here.
  async refresh(force) {
    this.polls = (this.polls || 0) + 1;
    if (!force && !this.due && this.polls % 5 !== 1) return;
    this.due = false;
    const sessions = await get("sessions");
    this.rows.sync(sessions, (s) => s.id);
    for (const s of sessions) this.update(s);
    $("#sessions-count").textContent = `${sessions.length} live`;
  }

  row(s) {
    const mine = s.id === this.app.sessionId;
    return h("tr", { class: mine ? "session mine" : "session", dataset: { id: s.id } },
      h("td", {}, h("a", { href: this.link(s), class: "session-link" }, s.id),
        mine ? h("span", { class: "muted" }, " (this page)") : null,
        s.port_url ? h("div", { class: "muted" }, "own port " + s.port) : null),
      h("td", {}, s.seed),
      h("td", { class: "s-clock" }),
      h("td", { class: "s-jobs" }),
      h("td", { class: "s-memory" }),
      h("td", {}, fmtTime(s.created).slice(0, 19)),
      h("td", { class: "s-expires" }),
      h("td", {}, s.default ? h("span", { class: "muted" }, "default") :
        h("button", { type: "button", class: "small danger", onclick: () => this.remove(s.id) }, "Delete")));
  }

  update(s) {
    const row = document.querySelector(`#sessions-rows tr[data-key="${CSS.escape(s.id)}"]`);
    if (!row) return;
    row.querySelector(".s-clock").replaceChildren(fmtTime(s.clock.now), " ",
      badge(s.clock.frozen ? "frozen" : "running", "small"));
    row.querySelector(".s-jobs").textContent = String(s.jobs);
    row.querySelector(".s-memory").textContent = fmtBytes(s.memory_bytes);
    row.querySelector(".s-expires").textContent = s.expires_in === null ? "never" : "idle " + fmtSpan(s.expires_in) + " left";
  }

  async create() {
    const form = $("#session-form");
    const id = form.id.value.trim();
    const body = {};
    if (form.seed.value.trim()) body.seed = form.seed.value.trim();
    if (form.now.value.trim()) body.clock = { now: form.now.value.trim(), frozen: form.frozen.checked };
    try {
      const made = id ? await send("PUT", `sessions/${encodeURIComponent(id)}`, body) : await send("POST", "sessions", body);
      say(this.note, "", "ok");
      this.note.append("session ", h("a", { href: this.link(made) }, made.id), " is ready");
      form.reset();
      this.due = true;
      this.app.refreshSoon();
    } catch (err) {
      say(this.note, err.message);
    }
  }

  async remove(id) {
    if (!confirm(`Delete session ${id} and everything it holds?`)) return;
    try {
      await send("DELETE", `sessions/${encodeURIComponent(id)}`);
      say(this.note, `session ${id} deleted`, "ok");
      this.due = true;
      this.app.refreshSoon();
    } catch (err) {
      say(this.note, err.message);
    }
  }
}

// Coverage of this session's vendor APIs, when the server serves GET /_mockcdr/coverage.
export class CoveragePanel {
  constructor(app) {
    this.app = app;
    this.available = false;
    this.seen = "";
  }

  async probe(controlSpec) {
    this.available = /^ {2}\/_mockcdr\/coverage:/m.test(controlSpec);
    $("#coverage").hidden = false;
    $("#coverage-state").textContent = this.available ? "" : "this server does not report coverage";
  }

  async refresh() {
    if (!this.available) return;
    const doc = await get("coverage");
    const sig = JSON.stringify(doc);
    if (sig === this.seen) return;
    this.seen = sig;
    const body = $("#coverage-body");
    const open = new Set([...body.querySelectorAll("details[open]")].map((d) => d.dataset.vendor));
    clear(body).append(...renderCoverage(doc, open));
  }
}

// The report as a table per vendor: operations with their hits, each documented response below
// it, and under a response the kinds its vendor tells apart (error codes, errno values). Each
// vendor folds to its totals line; those in ``open`` (the ones the reader had open) stay open.
export function renderCoverage(doc, open = new Set()) {
  if (!doc || !Array.isArray(doc.vendors)) return [h("pre", {}, JSON.stringify(doc, null, 2))];
  return doc.vendors.map((v) => {
    const t = v.totals || {};
    const ops = v.operations || [];
    return h("details", { class: "coverage-vendor", "data-vendor": v.vendor, open: open.has(v.vendor) || null },
      h("summary", {}, h("strong", {}, v.vendor), " ", h("span", { class: "muted totals" },
        `${t.operations_hit}/${t.operations} operations, ${t.responses_hit}/${t.responses} responses` +
        (t.faults ? `, ${t.faults} injected faults` : ""))),
      h("table", { class: "coverage" },
        h("thead", {}, h("tr", {}, h("th", {}, "operation"), h("th", {}, "response"), h("th", {}, "hits"))),
        h("tbody", {}, ops.map((o) => [
          h("tr", { class: o.hits ? "op hit" : "op miss", "data-operation": o.operation },
            h("td", {}, h("code", {}, o.operation), h("span", { class: "muted" }, ` ${o.method} ${o.path}`)),
            h("td", {}), h("td", { class: "hits" }, String(o.hits))),
          (o.responses || []).map((r) => [
            h("tr", { class: r.hits ? "hit" : "miss", "data-status": r.status }, h("td", {}),
              h("td", {}, String(r.status), h("span", { class: "muted", title: r.description || "" }, " " + (r.description || "").split(/[(.;]/)[0])),
              h("td", { class: "hits" }, String(r.hits))),
            [...(r.kinds || []), ...(r.undeclared || [])].map((k) => h("tr", { class: k.hits ? "kind hit" : "kind miss", "data-kind": k.kind },
              h("td", {}), h("td", {}, "\u2003", h("code", {}, k.kind), h("span", { class: "muted" }, " " + (k.title || ""))),
              h("td", { class: "hits" }, String(k.hits))))]),
          (o.faults || []).map((f) => h("tr", { class: "fault" }, h("td", {}),
            h("td", {}, `fault ${f.fault} \u2192 ${f.status || "dropped"}`), h("td", { class: "hits" }, String(f.hits))))]))));
  });
}
