// The dashboard: loads what the server is, then polls the control API and renders each panel.
import { ApiError, get, send, setToken, text, token } from "./api.js";
import { ClockPanel } from "./clock.js";
import { DeliveriesPanel } from "./deliveries.js";
import { $, h, say } from "./dom.js";
import { FaultsPanel } from "./faults.js";
import { JobsPanel } from "./jobs.js";
import { JournalPanel } from "./journal.js";
import { CoveragePanel, SessionsPanel } from "./sessions.js";

class Dashboard {
  constructor() {
    this.info = null;
    this.sessionId = null;
    this.root = "";
    this.operations = {};
    this.timer = null;
    this.running = false;
    this.again = false;
    this.gone = false;
    this.clock = new ClockPanel(this);
    this.panels = { clock: this.clock, jobs: new JobsPanel(this), journal: new JournalPanel(this),
                    deliveries: new DeliveriesPanel(this), faults: new FaultsPanel(this),
                    sessions: new SessionsPanel(this), coverage: new CoveragePanel(this) };
    this.setupHeader();
    document.addEventListener("visibilitychange", () => { if (!document.hidden) this.refreshSoon(); });
  }

  now() {
    return this.clock.now();
  }

  setupHeader() {
    const input = $("#token");
    input.value = token();
    $("#token-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      setToken(input.value.trim());
      $("#token-state").textContent = token() ? "token set" : "";
      this.start();
    });
    $("#token-state").textContent = token() ? "token set" : "";
    $("#poll-interval").addEventListener("change", () => this.refreshSoon());
    $("#reset").addEventListener("click", async () => {
      if (!confirm(`Reset session ${this.sessionId} to its start (jobs, tokens, faults, journal, deliveries, clock)?`)) return;
      try {
        await send("POST", "reset", {});
        this.panels.jobs.kinds = {};
        this.refreshSoon();
      } catch (err) {
        this.problem(err);
      }
    });
  }

  // What the server is: version, seed, this session, its vendors; then every panel's first look.
  async start() {
    try {
      this.info = await get("info");
    } catch (err) {
      this.problem(err);
      this.schedule(3000, () => this.start());
      return;
    }
    this.banner("");
    const info = this.info;
    this.sessionId = info.session.id;
    const base = location.pathname.replace(/\/_mockcdr\/ui\/.*$/, "");
    const own = "/_s/" + encodeURIComponent(this.sessionId);
    this.root = base.endsWith(own) ? base.slice(0, -own.length) : base;
    $("#session-name").textContent = info.session.id === "default" ? "default session" : "session " + info.session.id;
    $("#server-meta").textContent = `mockcdr ${info.version} · seed ${info.seed}`;
    document.title = `mockcdr · ${info.session.id}`;
    this.fillVendors(info.vendors.map((v) => v.slug));
    try {
      await this.panels.coverage.probe(await text("openapi/control.yaml"));
    } catch (err) {
      this.problem(err);
    }
    this.refreshSoon();
  }

  fillVendors(slugs) {
    for (const id of ["#jobs-vendor", "#journal-vendor"]) {
      const select = $(id);
      select.replaceChildren(h("option", { value: "" }, "every vendor"), ...slugs.map((s) => h("option", { value: s }, s)));
    }
    $("#fault-vendor").replaceChildren(...slugs.map((s) => h("option", { value: s }, s)));
    this.operationsFor(slugs[0], "#fault-operations");
    Promise.all(slugs.map((s) => this.loadOperations(s))).then(() => {
      const all = [...new Set(Object.values(this.operations).flat())].sort();
      $("#journal-operations").replaceChildren(...all.map((o) => h("option", { value: o })));
    });
  }

  // A vendor's operationIds, read from its own spec (what faults and the journal name operations by).
  async loadOperations(slug) {
    if (!this.operations[slug]) {
      try {
        const spec = await text(`openapi/${slug}.yaml`);
        this.operations[slug] = [...spec.matchAll(/^\s+operationId:\s*([A-Za-z0-9_.-]+)\s*$/gm)].map((m) => m[1]);
      } catch (err) {
        this.operations[slug] = [];
      }
    }
    return this.operations[slug];
  }

  async operationsFor(slug, listId) {
    const ops = await this.loadOperations(slug);
    $(listId).replaceChildren(...ops.map((o) => h("option", { value: o })));
  }

  interval() {
    return Number($("#poll-interval").value);
  }

  schedule(ms, fn) {
    clearTimeout(this.timer);
    this.timer = setTimeout(fn, ms);
  }

  // Poll now (after an action, a filter change); a poll under way runs once more when it ends.
  refreshSoon() {
    if (this.running) {
      this.again = true;
      return;
    }
    this.schedule(0, () => this.poll());
  }

  async poll() {
    if (this.gone || !this.info) return;
    this.running = true;
    const results = await Promise.allSettled(Object.values(this.panels).map((p) => p.refresh()));
    this.running = false;
    const failed = results.filter((r) => r.status === "rejected").map((r) => r.reason);
    if (failed.length) this.problem(failed[0]);
    else this.banner("");
    this.panels.jobs.tickNext();
    $("#live").className = failed.length ? "live off" : "live";
    if (this.gone) return;
    const every = this.interval();
    if (this.again) {
      this.again = false;
      this.schedule(0, () => this.poll());
    } else if (every > 0 && !document.hidden) {
      this.schedule(every, () => this.poll());
    }
  }

  problem(err) {
    if (err instanceof ApiError && err.kind === "no_session") {
      this.gone = true;
      this.banner(`Session ${this.sessionId || ""} no longer exists on this server. `,
        h("a", { href: (this.root || "") + "/_mockcdr/ui/" }, "Open the default session's dashboard"));
    } else if (err instanceof ApiError && err.status === 401) {
      this.banner("The control API needs this server's control token: enter it above. (" + err.message + ")");
      $("#token").focus();
    } else {
      this.banner(err.message || String(err));
    }
  }

  banner(message, ...extra) {
    const el = $("#banner");
    el.hidden = !message;
    say(el, message, "error");
    el.append(...extra);
  }
}

new Dashboard().start();
