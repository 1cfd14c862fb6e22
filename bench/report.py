"""Renders bench/out/*.json into bench/RESULTS.md, between its generated markers (the notes around them stay)."""
from __future__ import annotations

import report_gc
import report_sessions
from common import BENCH, read_result

RESULTS = BENCH / "RESULTS.md"
BEGIN, END = "<!-- generated:begin (bench/report.py) -->", "<!-- generated:end -->"
VENDORS = ("didww", "telnyx", "yeti", "mor", "yeastar")


def mark(ok: bool) -> str:
    return "**PASS**" if ok else "**MISS**"


def _f(x, digits=1):
    return "–" if x is None else f"{x:,.{digits}f}"


def http_rows(http: dict) -> dict:
    rows = {(r["target"], r["vendor"], r["op"]): r for r in http["rows"] if r["target"] != "ceiling"}
    ceilings = {r["round"]: r for r in http["rows"] if r["target"] == "ceiling"}
    return rows, ceilings


def targets(http, startup, reset, export, slow=None) -> list[str]:
    out = ["| target | measured | result |", "| --- | --- | --- |"]
    if http:
        rows, ceilings = http_rows(http)
        for v in VENDORS:
            mock, prism = rows.get(("mock", v, "poll")), rows.get(("prism", v, "poll"))
            ceiling = ceilings.get(v) or ceilings.get("start")
            if mock and prism:
                ratio = mock["rps"] / prism["rps"]
                out.append(f"| {v} status poll >= 1.5x Prism | {ratio:.2f}x ({mock['rps']:,.0f} / {prism['rps']:,.0f} "
                           f"req/s) | {mark(ratio >= 1.5)} |")
            if mock and ceiling:
                ratio = mock["rps"] / ceiling["rps"]
                out.append(f"| {v} status poll >= 1.2x the trivial Flask endpoint on waitress | {ratio:.2f}x "
                           f"({mock['rps']:,.0f} / {ceiling['rps']:,.0f} req/s) | {mark(ratio >= 1.2)} |")
            if mock:
                out.append(f"| {v} status poll p99 <= 15 ms (wrk -c16) | {mock['p99_ms']:.1f} ms | "
                           f"{mark(mock['p99_ms'] <= 15)} |")
        mock, wm = rows.get(("mock", "didww", "poll")), rows.get(("wiremock", "didww", "poll"))
        if mock and wm:
            ratio = mock["rps"] / wm["rps"]
            floor = rows.get(("floor", "didww", "poll"))
            beside = (f"; the trivial Flask endpoint on mockcdr's own server: {floor['rps'] / wm['rps']:.2f}x"
                      if floor else "")
            out.append(f"| didww status poll >= 0.5x WireMock's static stub (moonshot 1.0x) | {ratio:.2f}x "
                       f"({mock['rps']:,.0f} / {wm['rps']:,.0f} req/s; CPU cores busy: mockcdr {cores(mock):.2f}, "
                       f"WireMock {cores(wm):.2f}{beside}) | {mark(ratio >= 0.5)} |")
            out.append(f"| didww status poll p99 <= WireMock's p99 | {mock['p99_ms']:.1f} / {wm['p99_ms']:.1f} ms | "
                       f"{mark(mock['p99_ms'] <= wm['p99_ms'])} |")
    if startup:
        out.append(f"| start-up to the first health 200 < 0.4 s median | {startup['median_to_200_s']:.2f} s (median of "
                   f"{startup['n']}; {startup['median_cpu_s_at_200']:.2f} s of CPU) | "
                   f"{mark(startup['median_to_200_s'] < 0.4)} |")
        out.append(f"| idle RSS < 50 MB | {startup['median_idle_rss_mb']:.1f} MB | "
                   f"{mark(startup['median_idle_rss_mb'] < 50)} |")
    if slow:
        for r in slow["rows"]:
            if r["server"] != "after":
                continue
            worst = max((p[k] if p[k] is not None else float("inf")) for p in r["probes"] for k in ("health", "poll"))
            out.append(f"| slow clients ({_scenario(r)}): health and a poll answered within 1 s | "
                       f"slowest of {len(r['probes'])} probes: {_secs(worst)} | {mark(worst < 1)} |")
    if reset:
        out.append(f"| reset < 5 ms median | {reset['median_reset_ms']:.2f} ms (n={reset['n']}) | "
                   f"{mark(reset['median_reset_ms'] < 5)} |")
    if export:
        out += export_targets(export)
    return out


def cores(row: dict) -> float:
    """CPU cores a server kept busy during a run: its CPU time per request times requests per second."""
    return row["server_cpu_ms_per_request"] * row["rps"] / 1000


def http_section(http: dict) -> list[str]:
    rows, ceilings = http_rows(http)
    w = http["wrk"]
    out = [f"wrk {w['threads']} threads, {w['connections']} connections, {w['duration_s']:g} s per run "
           f"({w['warmup_s']:g} s unrecorded warm-up per server), 127.0.0.1; Prism {http['prism_version']} "
           f"(`prism mock -v silent <spec>`). Load average at start {http['machine']['loadavg']}, at end "
           f"{http['loadavg_end']}. cpu = the server process's CPU time per request.", "",
           "| vendor | operation | mockcdr req/s | p50 ms | p99 ms | cpu ms | Prism req/s | p50 ms | p99 ms "
           "| mock/ceiling | mock/Prism |", "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    if http.get("wiremock_version"):
        out[0] += (f" WireMock {http['wiremock_version']} (`java -jar wiremock-standalone.jar`, request journal on) "
                   "serves one static stub with the DIDWW poll's exact body, after 20 s of warm-up.")
    if http.get("before"):
        out[0] += (f" `{http['before']}` is another version's `mockcdr serve` (a `git archive` of it), each poll "
                   "measured right after this version's.")
    for key, c in ceilings.items():
        out.append(f"| ceiling ({key}) | GET /ping, trivial Flask on waitress | {c['rps']:,.0f} | {c['p50_ms']:.1f} | "
                   f"{c['p99_ms']:.1f} | {c['server_cpu_ms_per_request']:.2f} | | | | | |")
    health = rows.get(("mock", "mockcdr", "health"))
    if health:
        c = ceilings.get("start")
        out.append(f"| mockcdr | GET /_mockcdr/health | {health['rps']:,.0f} | {health['p50_ms']:.1f} | "
                   f"{health['p99_ms']:.1f} | {health['server_cpu_ms_per_request']:.2f} | | | | "
                   f"{health['rps'] / c['rps']:.0%} | |")
    for v in VENDORS:
        b = rows.get(("before", v, "poll"))
        if b:
            c = ceilings.get(v) or ceilings.get("start")
            out.append(f"| {v} ({http['before']}) | poll: {b['what']} | {b['rps']:,.0f} | {b['p50_ms']:.1f} | "
                       f"{b['p99_ms']:.1f} | {b['server_cpu_ms_per_request']:.2f} | | | | {b['rps'] / c['rps']:.0%} | |")
    wm = rows.get(("wiremock", "didww", "poll"))
    if wm:
        out.append(f"| WireMock | static stub of the didww poll | {wm['rps']:,.0f} | {wm['p50_ms']:.1f} | "
                   f"{wm['p99_ms']:.1f} | {wm['server_cpu_ms_per_request']:.2f} | | | | | |")
    floor = rows.get(("floor", "didww", "poll"))
    if floor:
        c = ceilings.get("didww") or ceilings.get("start")
        out.append(f"| floor (didww) | {floor['what']} | {floor['rps']:,.0f} | {floor['p50_ms']:.1f} | "
                   f"{floor['p99_ms']:.1f} | {floor['server_cpu_ms_per_request']:.2f} | | | | "
                   f"{floor['rps'] / c['rps']:.0%} | |")
    notes = []
    for v in VENDORS:
        for op in ("poll", "create", "download"):
            m, p = rows.get(("mock", v, op)), rows.get(("prism", v, op))
            if not m:
                continue
            c = ceilings.get(v) or ceilings.get("start")
            flag = ""
            check = m.get("journal_check", {})
            if m["non_2xx"] or m["socket_errors"] or m["overrun"] or check.get("bad"):
                flag = " ⚠"
                notes.append(f"{v} {op}: non-2xx {m['non_2xx']}, socket errors {m['socket_errors']}, "
                             f"overrun {m['overrun']}, journal {check}")
            prism = (f"{p['rps']:,.0f} | {p['p50_ms']:.1f} | {p['p99_ms']:.1f}" if p else "n/a | | ")
            if p and p["non_2xx"]:
                prism += f" ({p['non_2xx'] / max(p['requests'], 1):.0%} non-2xx)"
            out.append(f"| {v} | {op}: {m['what']}{flag} | {m['rps']:,.0f} | {m['p50_ms']:.1f} | {m['p99_ms']:.1f} | "
                       f"{m['server_cpu_ms_per_request']:.2f} | {prism} | "
                       f"{m['rps'] / c['rps']:.0%} | {(m['rps'] / p['rps']) if p else 0:.1f}x |".replace("| 0.0x |", "| – |"))
    extra = "".join(f", {name} {http[key]:.1f} MB" for name, key in (
        (http.get("before") or "before", "before_rss_mb_end"), ("WireMock", "wiremock_rss_mb_end")) if key in http)
    out += ["", f"Server RSS after the run: mockcdr {http['mock_rss_mb_end']:.1f} MB (peak {http['mock_hwm_mb_end']:.1f}), "
            f"trivial app {http['trivial_rss_mb_end']:.1f} MB{extra}. Every mockcdr run was checked against the journal "
            "(last 200 requests: right operation, 2xx, expected body or media type)."]
    out += [f"- ⚠ {n}" for n in notes]
    return out


def startup_section(s: dict) -> list[str]:
    st = s["stages_s"]
    runs = ", ".join(f"{r['to_200_s']:.2f}" for r in s["runs"])
    out = [f"`{s['command']}`, {s['n']} runs (load average at start {s['machine']['loadavg']}): "
            f"median **{s['median_to_200_s']:.3f} s** to the first 200 (runs: {runs} s); the server had used "
            f"{s['median_cpu_s_at_200']:.2f} s of CPU by then. Idle VmRSS 2 s later: **{s['median_idle_rss_mb']:.1f} MB**.",
            "", f"Where it goes (median of {s['n']} fresh interpreters, in-process): interpreter start "
            f"{s['interpreter_s'] * 1000:.0f} ms, {_stages(st)}."]
    b = s.get("before")
    if b:
        before_runs = ", ".join(f"{r['to_200_s']:.2f}" for r in b["runs"])
        out += ["", f"`{b['label']}`, the same runs alternated with these: median **{b['median_to_200_s']:.3f} s** "
                f"(runs: {before_runs} s), "
                f"{b['median_cpu_s_at_200']:.2f} s of CPU; idle VmRSS **{b['median_idle_rss_mb']:.1f} MB**; "
                f"{_stages(b['stages_s'])}."]
    return out


def _stages(st: dict) -> str:
    last = st.get("server_start", st.get("waitress_server", 0))
    return (f"flask/marshmallow/yaml imports {st['third_party_imports'] * 1000:.0f} ms, mockcdr imports "
            f"{st['mockcdr_imports'] * 1000:.0f} ms, build_runtime (fixtures, five vendors' setup) "
            f"{st['build_runtime'] * 1000:.0f} ms, create_app {st['create_app'] * 1000:.0f} ms, server "
            f"{last * 1000:.0f} ms")


def reset_section(r: dict) -> list[str]:
    return [f"{r['command']}; {r['n']} rounds, each with state present: {r['state']['jobs']} jobs, "
            f"{r['state']['records']} store records (jobs, tokens, files, tasks, deliveries, policies), "
            f"{r['state']['journal']} journal entries and a fault. Median **{r['median_reset_ms']:.2f} ms** "
            f"(min {r['min_reset_ms']:.2f}, max {r['max_reset_ms']:.2f}); GET /_mockcdr/health on the same "
            f"connection: {r['median_health_rtt_ms']:.2f} ms. Jobs after reset: {r['jobs_after_reset']}. "
            f"Load average at start {r['machine']['loadavg']}."]


def _latest(e: dict) -> str:
    """The tree whose rows the targets judge: the last one run (``after`` in a before/after run)."""
    trees = list(e.get("trees") or {}) or [None]
    return trees[-1]


def _limits(e: dict) -> dict:
    return {(r["vendor"], r["label"]): r for r in e.get("limit", [])}


def _ceiling(r: dict, limits: dict) -> tuple[str, float | None]:
    """The limit a row is compared with: gzip -1 for compressed files, cat for plain CSV."""
    lim = limits.get((r["vendor"], r["label"]))
    if lim is None:
        return "", None
    return ("cat", lim["cat_rows_per_s"]) if r["kind"] == "csv" else ("gzip -1", lim["gzip1_rows_per_s"])


def export_targets(e: dict) -> list[str]:
    out = []
    tree = _latest(e)
    rows = [r for r in e["rows"] if r.get("tree") in (tree, None)]
    big = max((r.get("asked", r["rows"]) for r in rows), default=0)
    limits = _limits(e)
    for r in rows:
        if r.get("asked", r["rows"]) != big:
            continue
        name = f"{r['mode']} {r['vendor']} {r['label']}"
        out.append(f"| first export >= 300,000 rows/s at {big:,} rows: {name} | {r['rows_per_s']:,.0f} rows/s | "
                   f"{mark(r['rows_per_s'] >= 300_000)} |")
        if "repeat_rows_per_s" in r:
            how, lim = _ceiling(r, limits)
            want = 1_000_000 if r["kind"] == "csv" or lim is None else min(1_000_000, lim)
            out.append(f"| repeat >= {want:,.0f} rows/s (1M or {how or 'the'} limit if lower): {name} | "
                       f"{r['repeat_rows_per_s']:,.0f} rows/s | {mark(r['repeat_rows_per_s'] >= want)} |")
        if r["kind"] != "csv":       # the measure: the growth, the cache's own size reported apart
            cache, peak = r.get("cache_mb") or 0.0, r["peak_growth_mb"]
            if cache <= peak:
                own, how = peak - cache, f"+{peak:.1f} MB in all, of which the cache {cache:.1f} MB"
            else:           # the cache was filled before the measure began (MOR's file, at its delivery)
                own, how = peak, f"the cache's {cache:.1f} MB filled before the measure"
            out.append(f"| {big:,}-row compressed export < 60 MB peak growth, the render cache apart: {name} | "
                       f"+{own:.1f} MB ({how}) | {mark(own < 60)} |")
    return out


def export_section(e: dict) -> list[str]:
    trees = list(e.get("trees") or {}) or [None]
    limits = _limits(e)
    out = [f"calls_per_day {e['calls_per_day']:,} per tenant, windows from {e['start'][:10]}; memory: {e['memory']}. "
           f"Load average at start {e['machine']['loadavg']}, at end {e.get('loadavg_end', 'n/a (cut short)')}"
           + (f"; trees, each variant and size run on every one in turn: "
              + ", ".join(f"{k} = `{v}`" for k, v in e["trees"].items()) if e.get("trees") else "") + ".", ""]
    head = "| path | vendor | format | rows |"
    rule = "| --- | --- | --- | ---: |"
    for t in trees:
        label = f"{t}: " if t and len(trees) > 1 else ""
        head += f" {label}first rows/s | {label}cpu s | {label}repeat rows/s | {label}peak MB | {label}repeat peak MB |"
        rule += " ---: | ---: | ---: | ---: | ---: |"
    out += [head + " cache MB | first / limit | repeat / limit |", rule + " ---: | ---: | ---: |"]
    groups: dict = {}
    for r in e["rows"]:
        groups.setdefault((r["mode"], r["vendor"], r["label"], r.get("asked", r["rows"])), {})[r.get("tree")] = r
    for (mode, vendor, label, _asked), by in groups.items():
        last = by.get(trees[-1]) or next(iter(by.values()))
        line = f"| {mode} | {vendor} | {label} | {last['rows']:,} |"
        for t in trees:
            r = by.get(t)
            if r is None:
                line += " | | | | |"
                continue
            cpu = r.get("cpu_s", r.get("server_cpu_s"))
            line += (f" {r['rows_per_s']:,.0f} | {_f(cpu)} | {_f(r.get('repeat_rows_per_s'), 0)} | "
                     f"{r['peak_growth_mb']:.1f} | {_f(r.get('repeat_peak_growth_mb'))} |")
        how, lim = _ceiling(last, limits)
        ratio = f"{last['rows_per_s'] / lim:.2f} of {how}" if lim else "–"
        rep = f"{last['repeat_rows_per_s'] / lim:.2f} of {how}" if lim and last.get("repeat_rows_per_s") else "–"
        out.append(line + f" {_f(last.get('cache_mb'))} | {ratio} | {rep} |")
    if e.get("limit"):
        out += ["", "The limit, measured in the same run on the same bytes (the CSV of each variant's largest file, "
                "median of 3): `cat FILE > /dev/null` and `gzip -1 -c FILE > /dev/null`.", "",
                "| vendor | format | rows | bytes/row | cat rows/s | gzip -1 rows/s |", "| --- | --- | ---: | ---: | ---: | ---: |"]
        out += [f"| {r['vendor']} | {r['label']} | {r['rows']:,} | {r['bytes_per_row']:.0f} | {r['cat_rows_per_s']:,.0f} | "
                f"{r['gzip1_rows_per_s']:,.0f} |" for r in e["limit"]]
    return out


def growth_section(g: dict, e: dict | None) -> list[str]:
    out = ["Jobs held (DIDWW exports, in-process test client; memory by tracemalloc):", "",
           "| jobs | memory MB | poll ms | create ms | list first page ms | reset ms |",
           "| ---: | ---: | ---: | ---: | ---: | ---: |"]
    out += [f"| {r['jobs']:,} | {r['memory_mb']:.1f} | {r['poll_ms']:.2f} | {r['create_ms']:.2f} | "
            f"{r['list_page_ms']:.2f} | {r['reset_ms']:.2f} |" for r in g["jobs"]]
    out += ["", "Journal size (status polls fill it):", "",
            "| journal_size | entries | memory MB | kB/entry | poll ms (empty) | poll ms (full) |",
            "| ---: | ---: | ---: | ---: | ---: | ---: |"]
    out += [f"| {r['journal_size']:,} | {r['entries']:,} | {r['memory_mb']:.1f} | {r['kb_per_entry']:.2f} | "
            f"{r['poll_ms_empty']:.2f} | {r['poll_ms_full']:.2f} |" for r in g["journal"]]
    if g.get("mor_tasks"):
        out += ["", "MOR tasks held (a create makes the next request rescan every task for the next due run):", "",
                "| tasks | show ms | create ms |", "| ---: | ---: | ---: |"]
        out += [f"| {r['tasks']:,} | {r['poll_ms']:.2f} | {r['create_ms']:.2f} |" for r in g["mor_tasks"]]
    if e:
        out += ["", "Rows (from the export bench: rows/s at each size, and peak growth; flat rows/s = linear time):", "",
                "| path | vendor | format | rows/s by size | peak growth MB by size |", "| --- | --- | --- | --- | --- |"]
        groups: dict = {}
        for r in e["rows"]:
            if r.get("tree") in (_latest(e), None):
                groups.setdefault((r["mode"], r["vendor"], r["label"]), []).append(r)
        for (mode, vendor, label), rs in groups.items():
            out.append(f"| {mode} | {vendor} | {label} | " + " / ".join(f"{r['rows_per_s']:,.0f}" for r in rs) +
                       " | " + " / ".join(f"{r['peak_growth_mb']:.1f}" for r in rs) + " |")
    return out


def _secs(x) -> str:
    return "no answer" if x is None or x == float("inf") else f"{x:.3f} s"


def _scenario(r: dict) -> str:
    parts = [f"{r['idle']} idle sockets" if r["idle"] else "", f"{r['stalled']} stalled downloads" if r["stalled"] else "",
             f"{r['slow']} byte-a-second heads" if r["slow"] else ""]
    return " + ".join(p for p in parts if p)


def slow_section(sl: dict) -> list[str]:
    out = [f"Each row: a fresh `mockcdr serve` (calls_per_day {sl['calls_per_day']:,}), the bad clients, "
           f"{sl['settle_s']:g} s, then {sl['probes']} probes half a second apart, each a new connection's "
           f"GET /_mockcdr/health and DIDWW status poll with {sl['timeout_s']:g} s to answer ('no answer': "
           "nothing within that time). Stalled downloads: Telnyx report CSVs (one day: about 18 MiB at 150k calls) "
           "whose clients never read. Recovery: one more probe after the bad clients have gone "
           f"({sl['timeout_s'] * 3:g} s allowed). Load average at start {sl['machine']['loadavg']}, at end "
           f"{sl['loadavg_end']}.", "",
           "| server | clients | health: answered, slowest | poll: answered, slowest | after they left: health, poll |",
           "| --- | --- | --- | --- | --- |"]
    for r in sl["rows"]:
        def col(name):
            got = [p[name] for p in r["probes"]]
            answered = [x for x in got if x is not None]
            return f"{len(answered)}/{len(got)}, {_secs(max(answered)) if answered else 'no answer'}"
        out.append(f"| {r['server']} | {_scenario(r)} | {col('health')} | {col('poll')} | "
                   f"{_secs(r['recovered']['health'])}, {_secs(r['recovered']['poll'])} |")
    return out


def servers_section(sv: dict) -> list[str]:
    out = [f"`bench/bench_servers.py`: each candidate serves the trivial Flask endpoint, then mockcdr's app "
           f"(`bench/serve_with.py`); {sv['rounds']} interleaved rounds of {sv['duration_s']:g} s wrk runs "
           f"(-t2 -c16); req/s and p99 are medians of the rounds, cpu = server CPU ms per request (granian's "
           f"worker process included). Checks from the first round: health while 150 sockets sit idle and while "
           f"12 clients stall Telnyx downloads (3 s allowed), what a client sees of a drop and a truncate fault, "
           f"and how long DELETE /_mockcdr/faults takes with eight 2 s latency faults in flight. Load average at "
           f"start {sv['machine']['loadavg']}, at end {sv['loadavg_end']}.", "",
           "| server | trivial req/s | p99 ms | didww poll req/s | p99 ms | cpu ms | yeti poll req/s | p99 ms | "
           "health, 150 idle | health, 12 stalled | drop | truncate | clear faults |",
           "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | --- | --- | --- |"]
    by: dict = {}
    for r in sv["rows"]:
        by.setdefault(r["server"], []).append(r)
    for server, rs in by.items():
        def med(key, field):
            from statistics import median as _m
            return _m(r[key][field] for r in rs)
        first = rs[0]
        out.append(f"| {server} | {med('trivial', 'rps'):,.0f} | {med('trivial', 'p99_ms'):.1f} | "
                   f"{med('didww_poll', 'rps'):,.0f} | {med('didww_poll', 'p99_ms'):.1f} | {med('didww_poll', 'cpu_ms'):.2f} | "
                   f"{med('yeti_poll', 'rps'):,.0f} | {med('yeti_poll', 'p99_ms'):.1f} | "
                   f"{_secs(first.get('idle_150_health_s'))} | {_secs(first.get('stalled_12_health_s'))} | "
                   f"{first.get('drop', '')} | {first.get('truncate', '')} | {_secs(first.get('clear_faults_s'))} |")
    return out


def render(command: str = "make bench") -> str:
    http, startup, reset = read_result("http"), read_result("startup"), read_result("reset")
    export, growth, sessions = read_result("export"), read_result("growth"), read_result("sessions")
    slow, servers = read_result("slow"), read_result("servers")
    first = next((x for x in (startup, http, reset, export, growth, sessions) if x), None)
    m = first["machine"] if first else {}
    alias = " (= `.venv/bin/python bench/run_all.py`)" if command == "make bench" else ""
    out = [BEGIN, f"Command: `{command}`{alias}. Date {m.get('date')}, commit `{m.get('commit')}`.", "",
           f"Machine: {m.get('nproc')} CPUs ({m.get('cpu')}), Linux {m.get('kernel')}, Python {m.get('python')}, "
           f"{m.get('wrk')}, node {m.get('node')}. The box is shared: each section gives its load average.", "",
           "### Targets", ""] + targets(http, startup, reset, export, slow) + (
               report_sessions.targets(sessions) if sessions else [])
    for title, data, fn in (("HTTP", http, http_section), ("Slow clients", slow, slow_section),
                            ("Serving candidates", servers, servers_section), ("Start-up", startup, startup_section),
                            ("Reset", reset, reset_section), ("Export generation", export, export_section)):
        if data:
            out += ["", f"### {title}", ""] + fn(data)
    if sessions:
        out += ["", "### Sessions", ""] + report_sessions.section(sessions)
    gcs = read_result("gc")
    if gcs:
        out += ["", "### Garbage collection while serving", ""] + report_gc.section(gcs)
    if growth:
        out += ["", "### Growth", ""] + growth_section(growth, export)
    out.append(END)
    return "\n".join(out)


def write(command: str = "make bench") -> None:
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmarks\n\n" + BEGIN + "\n" + END + "\n"
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    RESULTS.write_text(head + render(command) + tail)


if __name__ == "__main__":
    write()
