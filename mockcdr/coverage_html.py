"""The coverage document as one self-contained HTML page: a table per vendor, inline CSS and JS only."""
from __future__ import annotations

from datetime import datetime, timezone
from html import escape

from .coverage_report import percent, responses_percent, summary_line

_CSS = """
:root { --hit: #e3f4e1; --zero: #fbe3e1; --warn: #fff3cd; --ink: #1d2329; --muted: #5f6b76; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
       margin: 0 auto; padding: 1.5rem; max-width: 76rem; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; } h2 { font-size: 1.15rem; margin: 2rem 0 .25rem; }
p.meta, p.line { color: var(--muted); margin: .25rem 0; }
.controls { display: flex; gap: 1.5rem; align-items: center; margin: 1rem 0; flex-wrap: wrap; }
input[type=search] { padding: .3rem .5rem; min-width: 16rem; }
table { border-collapse: collapse; width: 100%; }
table.ops { table-layout: fixed; } td { overflow-wrap: anywhere; }
col.c-op { width: 15rem; } col.c-status { width: 5rem; } col.c-kind { width: 15rem; } col.c-hits { width: 5rem; }
th, td { text-align: left; padding: .2rem .5rem; border-bottom: 1px solid #e6e8eb; vertical-align: top; }
th { background: #f3f5f7; position: sticky; top: 0; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.op td { background: #f8f9fa; font-weight: 600; border-top: 2px solid #d5d9dd; }
tr.hit td.hits { background: var(--hit); } tr.zero td.hits { background: var(--zero); }
tr.fault td, tr.undocumented td, tr.undeclared td, tr.other td { background: var(--warn); }
tr.catchall td { color: var(--muted); }
td.kind { padding-left: 1.5rem; } code { font-size: .95em; }
.bar { display: inline-block; width: 8rem; height: .7rem; background: var(--zero); vertical-align: middle; }
.bar span { display: block; height: 100%; background: #3f9a43; }
body.gaps tr.hit, body.gaps tr.status, body.gaps tr.catchall, body.gaps tbody.complete { display: none; }
tbody.filtered { display: none; }
"""

_JS = """
(function () {
  var body = document.body, gaps = document.getElementById('gaps'), filter = document.getElementById('filter');
  function count() {
    var shown = 0;
    document.querySelectorAll('tbody.op tr').forEach(function (tr) { if (tr.offsetParent !== null) shown++; });
    document.getElementById('shown').textContent = shown + ' rows shown';
  }
  gaps.addEventListener('change', function () { body.classList.toggle('gaps', gaps.checked); count(); });
  filter.addEventListener('input', function () {
    var words = filter.value.trim().toLowerCase();
    document.querySelectorAll('tbody.op').forEach(function (tb) {
      tb.classList.toggle('filtered', words !== '' && tb.dataset.search.indexOf(words) < 0);
    });
    count();
  });
  count();
})();
"""


def _bar(hit: int, total: int) -> str:
    return f'<span class="bar" title="{hit}/{total}"><span style="width:{percent(hit, total):.1f}%"></span></span>'


def _row(cls: str, status: str, kind: str, text: str, hits: int) -> str:
    return (f'<tr class="{cls}"><td></td><td>{escape(status)}</td><td class="kind">{escape(kind)}</td>'
            f'<td>{escape(text)}</td><td class="num hits">{hits}</td></tr>')


def _operation(op: dict) -> str:
    rows, complete = [], True
    for r in op["responses"]:
        seen = ", ".join(f"{s} \u00d7{n}" for s, n in sorted((r.get("seen") or {}).items()))
        text = r["description"] + (f" (seen: {seen})" if seen else "")
        if r.get("kinds"):
            rows.append(_row("status", r["status"], "", text, r["hits"]))
            for k in r["kinds"]:
                complete &= bool(k["hits"])
                rows.append(_row("hit" if k["hits"] else "zero", r["status"], k["kind"], k["title"], k["hits"]))
        elif r.get("catch_all"):
            rows.append(_row("catchall", r["status"], "", text, r["hits"]))
        else:
            complete &= bool(r["hits"])
            rows.append(_row("hit" if r["hits"] else "zero", r["status"], "", text, r["hits"]))
        for u in r.get("undeclared", ()):
            rows.append(_row("undeclared", r["status"], u["kind"], "a kind the vendor does not declare", u["hits"]))
    for u in op["undocumented"]:
        rows.append(_row("undocumented", str(u["status"]), "", "a status the spec does not document", u["hits"]))
    for f in op["faults"]:
        rows.append(_row("fault", str(f["status"]), "", f"injected fault: {f['fault']}", f["hits"]))
    head = (f'<tr class="op"><td><code>{escape(op["operation"])}</code></td>'
            f'<td colspan="3"><code>{escape(op["method"])} {escape(op["path"])}</code></td>'
            f'<td class="num">{op["hits"]}</td></tr>')
    search = escape(f"{op['operation']} {op['method']} {op['path']}".lower())
    cls = "op complete" if complete else "op"
    return f'<tbody class="{cls}" data-search="{search}">{head}{"".join(rows)}</tbody>'


def _vendor(vendor: dict) -> str:
    t = vendor["totals"]
    other = "".join(f'<tbody class="op other" data-search="{escape((o["method"] + " " + o["path"]).lower())}">'
                    + _row("other", str(o["status"]), "", f"{o['method']} {o['path']}: no operation matched",
                           o["hits"]) + "</tbody>" for o in vendor["other"])
    return (f'<section class="vendor" id="vendor-{escape(vendor["vendor"])}">'
            f'<h2>{escape(vendor["vendor"])} &mdash; {escape(vendor["title"])}</h2>'
            f'<p class="line">{escape(summary_line(vendor))} {_bar(t["responses_hit"], t["responses"])}</p>'
            '<table class="ops"><colgroup><col class="c-op"><col class="c-status"><col class="c-kind"><col>'
            '<col class="c-hits"></colgroup><thead><tr><th>Operation</th><th>Status</th><th>Kind</th><th>Description</th>'
            '<th class="num">Hits</th></tr></thead>'
            + "".join(_operation(op) for op in vendor["operations"]) + other + "</table></section>")


def render(doc: dict, vendors=None) -> str:
    """The page for a coverage document (``vendors``: those the headline percentage is over)."""
    overall = responses_percent(doc, vendors)
    generated = datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
    summary = "".join(
        f'<tr><td><a href="#vendor-{escape(v["vendor"])}">{escape(v["vendor"])}</a></td>'
        f'<td class="num">{v["totals"]["operations_hit"]}/{v["totals"]["operations"]}</td>'
        f'<td class="num">{v["totals"]["responses_hit"]}/{v["totals"]["responses"]}</td>'
        f'<td>{_bar(v["totals"]["responses_hit"], v["totals"]["responses"])} '
        f'{percent(v["totals"]["responses_hit"], v["totals"]["responses"]):.0f}%</td>'
        f'<td class="num">{v["totals"]["requests"]}</td><td class="num">{v["totals"]["faults"]}</td></tr>'
        for v in doc["vendors"])
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>mockcdr API coverage ({overall:.0f}%)</title><style>{_CSS}</style></head>
<body>
<h1>mockcdr API coverage: <span id="overall">{overall:.0f}%</span> of documented responses</h1>
<p class="meta">{doc["sessions"]} session{"" if doc["sessions"] == 1 else "s"} since {escape(str(doc["since"]))}; generated {generated}.
Every operation of each vendor's spec, every documented response and, where a vendor tells its answers
apart, every kind it can produce. Injected faults are counted apart from the responses.</p>
<table class="summary"><thead><tr><th>Vendor</th><th class="num">Operations</th><th class="num">Responses</th>
<th>Covered</th><th class="num">Requests</th><th class="num">Faults</th></tr></thead><tbody>{summary}</tbody></table>
<div class="controls"><label><input type="checkbox" id="gaps"> Only what was never exercised</label>
<input type="search" id="filter" placeholder="Filter by operation or path" aria-label="Filter">
<span id="shown"></span></div>
{"".join(_vendor(v) for v in doc["vendors"])}
<script>{_JS}</script>
</body></html>
"""
