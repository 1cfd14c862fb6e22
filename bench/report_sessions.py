"""The sessions part of bench/RESULTS.md: targets and the before/after table (from bench/out/sessions.json)."""
from __future__ import annotations


def _mark(ok: bool) -> str:
    return "**PASS**" if ok else "**MISS**"


def _growth(blocks: list[float]) -> float:
    """The last blocks' ms per create over the first blocks' (1.0 = linear time)."""
    k = max(1, len(blocks) // 3)
    return (sum(blocks[-k:]) / k) / (sum(blocks[:k]) / k)


def targets(s: dict) -> list[str]:
    create, fixture, held, jobs = s["create"]["after"], s["fixture"], s["held"], s["jobs"]
    poll_ratio = held["poll_ms_held"] / held["poll_ms_one"]
    jobs_ratio = jobs["after"]["poll_ms_held"] / jobs["after"]["poll_ms_one"]
    linear = _growth(jobs["after"]["create_ms_by_block"])
    return [
        f"| creating a session over HTTP < 2 ms median | {create['create_ms']:.2f} ms | "
        f"{_mark(create['create_ms'] < 2)} |",
        f"| a fresh in-process session per test < 1 ms of fixture time | {fixture['after']['per_test_ms']:.3f} ms "
        f"(before: {fixture['before']['per_test_ms']:.0f} ms) | {_mark(fixture['after']['per_test_ms'] < 1)} |",
        f"| {held['sessions']:,} live sessions with {held['jobs_each']} jobs each < 150 MB RSS growth | "
        f"+{held['rss_growth_mb']:.1f} MB | {_mark(held['rss_growth_mb'] < 150)} |",
        f"| a poll with {held['sessions']:,} sessions held within 10% of the poll with one | "
        f"{poll_ratio:.2f}x ({held['poll_ms_held']:.3f} / {held['poll_ms_one']:.3f} ms) | "
        f"{_mark(poll_ratio <= 1.10)} |",
        f"| a poll with {jobs['after']['jobs']:,} jobs in the session within 20% of the poll with about 100 "
        f"(jobs falling due) | "
        f"{jobs_ratio:.2f}x ({jobs['after']['poll_ms_held']:.3f} / {jobs['after']['poll_ms_one']:.3f} ms; "
        f"before {jobs['before']['poll_ms_held'] / jobs['before']['poll_ms_one']:.1f}x) | {_mark(jobs_ratio <= 1.20)} |",
        f"| {jobs['after']['jobs']:,} creates take linear time (last third's ms per create / first third's) | "
        f"{linear:.2f} (before {_growth(jobs['before']['create_ms_by_block']):.2f}) | {_mark(linear <= 1.25)} |",
    ]


def section(s: dict) -> list[str]:
    c, f, h, j = s["create"], s["fixture"], s["held"], s["jobs"]
    out = [f"`bench/bench_sessions.py`: after = this commit, before = `{s['before']}` (one world per process), "
           f"both in this run, each measure in a process of its own. Load average at start "
           f"{s['machine']['loadavg']}, at end {s['loadavg_end']}.", "",
           "| measure | before | after |", "| --- | ---: | ---: |",
           f"| a test's own mock over HTTP: before `POST /_mockcdr/reset`, after `PUT /_mockcdr/sessions/{{id}}` "
           f"(median ms) | {c['before']['reset_ms']:.2f} | {c['after']['create_ms']:.2f} |",
           f"| `POST /_mockcdr/reset` (median ms) | {c['before']['reset_ms']:.2f} | {c['after']['reset_ms']:.2f} |",
           f"| `GET /_mockcdr/health` on the same connection (median ms: the HTTP server's share) | "
           f"{c['before'].get('health_ms', float('nan')):.2f} | {c['after'].get('health_ms', float('nan')):.2f} |",
           f"| in process (no HTTP server): reset / create a session (median ms) | "
           f"{c['before'].get('in_process_reset_ms', float('nan')):.3f} / – | "
           f"{c['after'].get('in_process_reset_ms', float('nan')):.3f} / "
           f"{c['after'].get('in_process_create_ms', float('nan')):.3f} |",
           f"| in-process fixture per test: before {f['before']['what']}, after {f['after']['what']} (median ms) | "
           f"{f['before']['per_test_ms']:.1f} | {f['after']['per_test_ms']:.3f} |",
           f"| status poll with about 100 jobs (median ms; running clock, {j['after'].get('step_s', 5)} s steps, "
           f"a create before each poll: jobs falling due) | {j['before']['poll_ms_one']:.3f} | "
           f"{j['after']['poll_ms_one']:.3f} |",
           f"| status poll, {j['after']['jobs']:,} jobs held (median ms) | {j['before']['poll_ms_held']:.3f} | "
           f"{j['after']['poll_ms_held']:.3f} |",
           f"| ms per create, by block of {j['after']['block']:,} | " +
           " / ".join(f"{x:.2f}" for x in j["before"]["create_ms_by_block"]) + " | " +
           " / ".join(f"{x:.2f}" for x in j["after"]["create_ms_by_block"]) + " |",
           f"| {h['sessions']:,} sessions x {h['jobs_each']} jobs: RSS growth MB | – | {h['rss_growth_mb']:.1f} |",
           f"| status poll with 1 session / {h['sessions']:,} held (median ms) | – | "
           f"{h['poll_ms_one']:.3f} / {h['poll_ms_held']:.3f} |"]
    return out
