// The clock panel: the virtual now (ticking in the page while it runs), freeze, unfreeze, advance, set.
import { get, send } from "./api.js";
import { $, fmtSpan, fmtTime, say } from "./dom.js";

export class ClockPanel {
  constructor(app) {
    this.app = app;
    this.state = null;
    this.fetchedAt = 0;
    this.note = $("#clock-note");
    $("#clock-freeze").addEventListener("click", () => this.act(() => send("POST", "clock/freeze", {})));
    $("#clock-unfreeze").addEventListener("click", () => this.act(() => send("POST", "clock/unfreeze")));
    for (const button of document.querySelectorAll("[data-advance]")) {
      button.addEventListener("click", () => this.advance(button.dataset.advance));
    }
    $("#advance-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      const by = $("#advance-by").value.trim();
      if (by) this.advance(/^[-+]?[0-9.]+$/.test(by) ? Number(by) : by);
    });
    $("#set-clock-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      const now = $("#set-clock-now").value.trim();
      if (now) this.act(() => send("PUT", "clock", { now, frozen: $("#set-clock-frozen").checked }));
    });
    setInterval(() => this.render(), 250);
  }

  // The virtual now in epoch milliseconds, moved on by real time while the clock runs.
  now() {
    if (!this.state) return null;
    const at = new Date(this.state.now).getTime();
    return this.state.frozen ? at : at + (performance.now() - this.fetchedAt);
  }

  async refresh() {
    this.show(await get("clock"));
  }

  show(state) {
    this.state = state;
    this.fetchedAt = performance.now();
    $("#set-clock-now").placeholder = state.now;
    this.render();
  }

  render() {
    if (!this.state) return;
    const now = this.now();
    $("#clock-now").textContent = fmtTime(new Date(now - (now % 1000)).toISOString());
    $("#clock-now").dateTime = new Date(now).toISOString();
    const badge = $("#clock-state");
    badge.textContent = this.state.frozen ? "frozen" : "running";
    badge.className = "badge " + (this.state.frozen ? "frozen" : "running");
    const offset = this.state.offset_seconds;
    $("#clock-offset").textContent = Math.abs(offset) < 1 ? "at real time"
      : `${fmtSpan(offset)} ${offset > 0 ? "ahead of" : "behind"} real time`;
    $("#clock-freeze").disabled = this.state.frozen;
    $("#clock-unfreeze").disabled = !this.state.frozen;
  }

  advance(by) {
    return this.act(() => send("POST", "clock/advance", { by }));
  }

  async act(op) {
    try {
      this.show(await op());
      say(this.note, "");
      this.app.refreshSoon();       // jobs, tokens, schedules and callbacks moved with the clock
    } catch (err) {
      say(this.note, err.message);
    }
  }
}
