// The deliveries panel: what the mock sent out (DIDWW callbacks, MOR scheduled files) with every
// attempt, the next one, and the file a delivery carried.
import { download, list, send } from "./api.js";

const SHOWN = 50;
import { $, Rows, badge, fmtTime, h, relative, say } from "./dom.js";

export class DeliveriesPanel {
  constructor(app) {
    this.app = app;
    this.note = $("#deliveries-note");
    this.rows = new Rows($("#deliveries-list"), (d) => this.row(d));
    $("#deliveries-run").addEventListener("click", () => this.act(() => send("POST", "deliveries/run"),
      (r) => `${r.attempted} attempted`));
    $("#deliveries-clear").addEventListener("click", () => this.act(() => send("DELETE", "deliveries"),
      (r) => `${r.cleared} cleared`));
  }

  async refresh() {
    const { items, total } = await list("deliveries", { limit: SHOWN });
    items.reverse();                                    // newest first
    this.rows.sync(items, (d) => d.id);
    $("#deliveries-count").textContent = !total ? "nothing sent yet" : total > items.length
      ? `newest ${items.length} of ${total}` : `${total} deliver${total > 1 ? "ies" : "y"}`;
  }

  row(d) {
    const attempts = d.attempts || [];
    const last = attempts[attempts.length - 1];
    return h("details", { class: "delivery", dataset: { state: d.state, id: d.id } },
      h("summary", {},
        h("span", { class: "strong" }, "#" + d.id),
        badge(d.vendor, "vendor"),
        h("span", { class: "muted" }, d.channel + (d.method ? " " + d.method : "")),
        h("span", { class: "path", title: d.target }, d.target),
        badge(d.state),
        h("span", { class: "muted" }, `${attempts.length} attempt${attempts.length === 1 ? "" : "s"}` +
          (last ? ": " + last.outcome : "")),
        d.next_attempt_at ? h("span", { class: "muted" }, "next " + fmtTime(d.next_attempt_at) + " (" +
          relative(d.next_attempt_at, this.app.now()) + ")") : null,
        d.file ? this.fileLink(d) : null),
      h("table", { class: "attempts" },
        h("thead", {}, h("tr", {}, h("th", {}, "#"), h("th", {}, "at (UTC)"), h("th", {}, "status"),
          h("th", {}, "outcome"))),
        h("tbody", {}, attempts.map((a, i) => h("tr", { class: a.ok ? "ok" : "bad" },
          h("td", {}, String(i + 1)), h("td", {}, fmtTime(a.at)),
          h("td", {}, a.status === null ? "—" : String(a.status)), h("td", {}, a.outcome))))),
      h("dl", { class: "facts" },
        h("dt", {}, "created"), h("dd", {}, fmtTime(d.created_at)),
        d.source ? [h("dt", {}, "for"), h("dd", {}, h("code", {}, JSON.stringify(d.source)))] : null,
        h("dt", {}, "payload"), h("dd", {}, h("pre", {}, JSON.stringify(d.payload, null, 2)))));
  }

  fileLink(d) {
    const path = `deliveries/${d.id}/file`;
    return h("a", { href: "../" + path, class: "file", onclick: (ev) => {
      ev.preventDefault();
      download(path, `delivery-${d.id}`).catch((err) => say(this.note, err.message));
    } }, "file");
  }

  async act(op, done) {
    try {
      say(this.note, done(await op()), "ok");
      this.app.refreshSoon();
    } catch (err) {
      say(this.note, err.message);
    }
  }
}
