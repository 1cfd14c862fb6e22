// The journal panel: a live tail of vendor requests, newest first, filtered by vendor, operation and
// status; each entry opens into its request and response as the journal keeps them.
import { get, send } from "./api.js";
import { $, badge, clear, fmtBytes, fmtTime, h, say } from "./dom.js";

const KEEP = 200;           // entries shown at most

export class JournalPanel {
  constructor(app) {
    this.app = app;
    this.list = $("#journal-entries");
    this.note = $("#journal-note");
    this.since = null;
    this.size = 0;
    this.filters = "";
    for (const id of ["#journal-vendor", "#journal-operation", "#journal-status"]) {
      $(id).addEventListener("change", () => this.app.refreshSoon());
    }
    $("#journal-filters").addEventListener("submit", (ev) => {
      ev.preventDefault();
      this.app.refreshSoon();
    });
    $("#journal-clear").addEventListener("click", async () => {
      try {
        await send("DELETE", "journal");
        clear(this.list);         // what comes next has a higher seq: the tail goes on from here
        this.app.refreshSoon();
      } catch (err) {
        say(this.note, err.message);
      }
    });
  }

  query() {
    const status = $("#journal-status").value.trim();
    return { vendor: $("#journal-vendor").value, operation: $("#journal-operation").value.trim(),
             status: /^[0-9]{1,3}$/.test(status) ? status : "" };
  }

  restart() {
    this.since = null;
    clear(this.list);
  }

  async refresh() {
    if ($("#journal-paused").checked) return;
    const q = this.query();
    const filters = JSON.stringify(q);
    if (filters !== this.filters) {
      this.filters = filters;
      this.restart();
    }
    const page = await get("journal", this.since === null ? Object.assign({ limit: KEEP }, q)
                                                        : Object.assign({ since: this.since }, q));
    if (page.size < this.size) clear(this.list);      // cleared or reset since the last look
    this.size = page.size;
    for (const entry of page.entries) {
      this.list.prepend(this.entry(entry));
      this.since = Math.max(this.since || 0, entry.seq);
    }
    if (this.since === null) this.since = 0;
    while (this.list.childElementCount > KEEP) this.list.lastElementChild.remove();
    $("#journal-count").textContent = `${this.list.childElementCount} shown · ${page.size} kept of ${page.capacity}`;
  }

  entry(e) {
    const failed = e.status === 0 || e.status >= 400;
    const target = e.path + (e.query ? "?" + e.query : "");
    return h("details", { class: "entry" + (failed ? " failed" : ""), dataset: { seq: e.seq } },
      h("summary", {},
        h("span", { class: "when" }, fmtTime(e.at)),
        badge(e.vendor, "vendor"),
        h("span", { class: "method" }, e.method),
        h("span", { class: "path", title: target }, target),
        h("span", { class: "op" }, e.operation || "—"),
        badge(e.status === 0 ? "dropped" : String(e.status), failed ? "bad" : "ok"),
        e.fault ? badge("fault: " + e.fault, "fault") : null,
        h("span", { class: "muted ms" }, e.duration_ms.toFixed(1) + " ms")),
      h("dl", { class: "facts" },
        h("dt", {}, "seq"), h("dd", {}, String(e.seq)),
        h("dt", {}, "tenant"), h("dd", {}, e.tenant || "—"),
        h("dt", {}, "client"), h("dd", {}, e.client || "—"),
        h("dt", {}, "query"), h("dd", {}, h("code", {}, e.query || "—"))),
      this.body("Request", e.request),
      this.body("Response", e.response));
  }

  body(title, b) {
    if (!b || b.size === null) return h("div", { class: "body" }, h("h4", {}, title), h("p", { class: "muted" }, "no body kept"));
    const about = [b.content_type || "no type", fmtBytes(b.size)];
    if (b.truncated) about.push("clipped as the journal keeps it");
    const shown = b.body === null ? h("p", { class: "muted" }, "binary: not kept as text")
      : h("pre", {}, pretty(b.body, b.content_type, b.truncated));
    return h("div", { class: "body" }, h("h4", {}, title, " ", h("span", { class: "muted" }, about.join(" · "))), shown);
  }
}

function pretty(text, type, truncated) {
  if (!truncated && type && /json/.test(type)) {
    try {
      return JSON.stringify(JSON.parse(text), null, 2);
    } catch (e) {
      /* as it came */
    }
  }
  return text;
}
