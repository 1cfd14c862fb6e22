// The jobs panel: every vendor's jobs with state, timeline, next due step, a forced move and the file.
import { download, get, list, send } from "./api.js";

const SHOWN = 100;          // the newest jobs shown; the API says how many there are
import { $, Rows, badge, fmtTime, h, relative, say, shortId } from "./dom.js";

export class JobsPanel {
  constructor(app) {
    this.app = app;
    this.kinds = {};
    this.note = $("#jobs-note");
    this.rows = new Rows($("#jobs-rows"), (job) => this.row(job));
    this.filter = $("#jobs-vendor");
    this.filter.addEventListener("change", () => this.app.refreshSoon());
  }

  async loadKinds() {
    const kinds = await get("transitions");
    this.kinds = Object.fromEntries(kinds.map((k) => [k.kind, k]));
    const policies = $("#jobs-policies");
    policies.textContent = kinds.map((k) => `${k.kind}: ${k.policy.mode}` +
      (k.policy.outcome === "failure" ? " (failing)" : "")).join(" · ");
  }

  async refresh() {
    this.polls = (this.polls || 0) + 1;
    if (!Object.keys(this.kinds).length || this.polls % 10 === 0) await this.loadKinds();   // policies change too
    const { items, total } = await list("jobs", { vendor: this.filter.value, limit: SHOWN });
    const jobs = items.reverse();                       // newest first
    this.rows.sync(jobs, (j) => j.id);
    $("#jobs-count").textContent = !total ? "no jobs yet" : total > jobs.length
      ? `newest ${jobs.length} of ${total}` : `${total} job${total > 1 ? "s" : ""}`;
    this.tickNext();
  }

  // "in 5 s" moves with the virtual clock between polls
  tickNext() {
    const now = this.app.now();
    for (const el of document.querySelectorAll("#jobs-rows [data-due]")) {
      el.textContent = relative(el.dataset.due, now);
    }
  }

  row(job) {
    const kind = this.kinds[job.kind];
    const states = kind ? kind.states : [job.state];
    const select = h("select", { "aria-label": "state to force", class: "force-state" },
      states.map((s) => h("option", { value: s, selected: s === job.state }, s)));
    const force = h("form", { class: "inline", onsubmit: (ev) => {
      ev.preventDefault();
      this.force(job.id, select.value);
    } }, select, h("button", { type: "submit" }, "Force"));
    return h("tr", { class: "job", dataset: { state: job.state } },
      h("td", {}, h("div", { class: "strong" }, job.vendor), h("div", { class: "muted" }, job.kind)),
      h("td", { title: job.id }, h("code", {}, shortId(job.id)), h("div", { class: "muted" }, job.tenant)),
      h("td", { class: "state" }, badge(job.state)),
      h("td", {}, h("ol", { class: "timeline" }, job.timeline.map((t) =>
        h("li", { title: t.cause }, badge(t.state, "small"), " ", fmtTime(t.at),
          t.cause !== "policy" ? h("span", { class: "muted" }, " (" + t.cause + ")") : null)))),
      h("td", { class: "next" }, this.next(job)),
      h("td", {}, force),
      h("td", {}, job.file_url ? this.fileLink(job) : h("span", { class: "muted" }, "—")));
  }

  next(job) {
    const n = job.next;
    if (!n) return h("span", { class: "muted" }, "final");
    const to = ["→ ", badge(n.state, "small")];
    if (n.mode === "manual") return h("span", {}, to, h("div", { class: "muted" }, "manual: force it"));
    if (n.mode === "after_polls") {
      return h("span", {}, to, h("div", { class: "muted" },
        `after ${n.polls_left} more poll${n.polls_left === 1 ? "" : "s"}`));
    }
    return h("span", {}, to, h("div", {}, fmtTime(n.at)),
      h("div", { class: "muted", dataset: { due: n.at } }, relative(n.at, this.app.now())),
      n.cause === "retention" ? h("div", { class: "muted" }, "retention") : null);
  }

  fileLink(job) {
    const path = `jobs/${encodeURIComponent(job.id)}/file`;
    return h("a", { href: "../" + path, class: "file", onclick: (ev) => {
      ev.preventDefault();
      download(path, job.id).catch((err) => say(this.note, err.message));
    } }, "file");
  }

  async force(id, state) {
    try {
      await send("POST", `jobs/${encodeURIComponent(id)}/state`, { state });
      say(this.note, "");
      this.app.refreshSoon();
    } catch (err) {
      say(this.note, err.message);
    }
  }
}
