// The faults panel: the armed faults with their hits, one removed or all cleared, and a form to add one.
import { get, send } from "./api.js";
import { $, Rows, badge, h, say } from "./dom.js";

// the parameters each kind takes (the control API's FaultRequest)
const PARAMS = { error: ["status", "detail", "code"], latency: ["latency_ms"], rate_limit: ["status", "retry_after"],
                 truncate: ["after_bytes"], corrupt_gzip: [], drop: [] };
const NUMBERS = new Set(["status", "latency_ms", "retry_after", "after_bytes", "count"]);

export class FaultsPanel {
  constructor(app) {
    this.app = app;
    this.note = $("#faults-note");
    this.rows = new Rows($("#faults-rows"), (f) => this.row(f));
    this.form = $("#fault-form");
    this.form.kind.addEventListener("change", () => this.showParams());
    this.form.vendor.addEventListener("change", () => this.app.operationsFor(this.form.vendor.value, "#fault-operations"));
    this.form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      this.add();
    });
    $("#faults-clear").addEventListener("click", () => this.act(() => send("DELETE", "faults")));
    this.showParams();
  }

  showParams() {
    const wanted = new Set(PARAMS[this.form.kind.value] || []);
    for (const label of this.form.querySelectorAll("[data-param]")) {
      const on = wanted.has(label.dataset.param);
      label.hidden = !on;
      label.querySelector("input").disabled = !on;
    }
  }

  async refresh() {
    const faults = await get("faults");
    this.rows.sync(faults, (f) => f.id);
    $("#faults-count").textContent = faults.length ? `${faults.length} armed` : "none armed";
  }

  row(f) {
    const params = (PARAMS[f.kind] || []).filter((k) => f[k] !== null && f[k] !== undefined)
      .map((k) => `${k} ${f[k]}`).join(", ");
    return h("tr", { class: "fault" },
      h("td", {}, "#" + f.id),
      h("td", {}, badge(f.vendor, "vendor"), h("div", {}, f.operation ? h("code", {}, f.operation)
        : h("span", { class: "muted" }, "every operation"))),
      h("td", {}, badge(f.kind, "fault"), params ? h("div", { class: "muted" }, params) : null),
      h("td", {}, f.count === null || f.count === undefined ? "until cleared" : `${f.count} left`,
        h("div", { class: "muted" }, `${f.hits} hit${f.hits === 1 ? "" : "s"}`)),
      h("td", {}, h("button", { type: "button", class: "small", title: "remove this fault",
        onclick: () => this.act(() => send("DELETE", `faults/${f.id}`)) }, "Remove")));
  }

  body() {
    const form = this.form;
    const out = { vendor: form.vendor.value, kind: form.kind.value };
    const operation = form.operation.value.trim();
    if (operation) out.operation = operation;
    for (const input of form.querySelectorAll("[data-param] input, input[name=count]")) {
      const value = input.value.trim();
      if (input.disabled || !value) continue;
      out[input.name] = NUMBERS.has(input.name) && /^-?[0-9]+$/.test(value) ? Number(value) : value;
    }
    return out;
  }

  async add() {
    try {
      const fault = await send("POST", "faults", this.body());
      say(this.note, `fault #${fault.id} armed`, "ok");
      this.app.refreshSoon();
    } catch (err) {
      say(this.note, err.message);
    }
  }

  async act(op) {
    try {
      await op();
      say(this.note, "");
      this.app.refreshSoon();
    } catch (err) {
      say(this.note, err.message);
    }
  }
}
