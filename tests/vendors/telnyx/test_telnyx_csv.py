"""The report CSV: its columns and dialect, and each filter narrowing the rows exactly as documented."""
from __future__ import annotations

import csv
import io
from collections import Counter

import pytest
import yaml

from mockcdr.resources import default_fixtures
from mockcdr.vendors.telnyx.formats import COLUMNS

EVERYTHING = {"start_time": "2024-02-02T12:00:00Z", "call_types": [1, 2], "record_types": [1, 2, 3]}
ACME_CONNECTIONS = ("1684641123236054001", "1684641123236054002")
ACME_GROUPS = {"1684641123236054001": "6a09cdc3-8948-47f0-aa62-74ac943d6c58",
               "1684641123236054002": "0f3d6bb2-94c5-4a6e-9c8b-2d1e7f5a4b31"}
# the fixture's number tags of tenant acme
TAGS = {"+12025550143": {"sales", "us-east"}, "+13125550111": {"support"}, "+18005550199": {"support", "toll-free"}}
HANGUPS = {1: {"200"}, 2: {"480", "487", "486"}, 3: {"503", "404", "403", "408"}}


@pytest.fixture
def everything(api) -> list[dict]:
    rows = api.report_rows(EVERYTHING)
    assert len(rows) > 300          # ten days of acme's calls
    return rows


def own_number(row: dict) -> str:
    return row["terminating_number"] if row["direction"] == "inbound" else row["origination_number"]


def narrows(api, everything, predicate, **fields) -> list[dict]:
    """The filtered report is exactly the unfiltered rows the predicate keeps: fewer, not none."""
    rows = api.report_rows(dict(EVERYTHING, **fields))
    expected = [r for r in everything if predicate(r)]
    assert rows == expected
    assert 0 < len(rows) < len(everything)
    return rows


def test_header_dialect_and_content_type(api):
    job = api.complete(api.created(EVERYTHING))
    resp = api.download(job["report_url"])
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "text/csv"
    assert "Content-Encoding" not in resp.headers
    text = resp.get_data(as_text=True)
    assert text.split("\n", 1)[0] == ",".join(COLUMNS)
    assert text.endswith("\n") and "\r" not in text
    rows = list(csv.reader(io.StringIO(text)))
    assert all(len(r) == len(COLUMNS) for r in rows)


def test_rows_are_the_windows_calls_in_time_order(everything):
    starts = [r["start_timestamp_utc"] for r in everything]
    assert starts == sorted(starts)
    assert "2024-02-02T12:00:00Z" <= starts[0] and starts[-1] < "2024-02-12T12:00:00Z"
    assert len({r["call_leg_id"] for r in everything}) == len(everything)


def test_default_report_is_inbound_complete_calls(api, everything):
    rows = api.report_rows({"start_time": EVERYTHING["start_time"]})
    assert rows == [r for r in everything if r["direction"] == "inbound" and r["hangup_code"] == "200"]


@pytest.mark.parametrize("call_types, direction", [([1], "inbound"), ([2], "outbound")])
def test_call_types_narrow_by_direction(api, everything, call_types, direction):
    narrows(api, everything, lambda r: r["direction"] == direction, call_types=call_types)


def test_directions_partition_the_report(everything):
    assert set(Counter(r["direction"] for r in everything)) == {"inbound", "outbound"}


@pytest.mark.parametrize("record_type", [1, 2, 3])
def test_record_types_narrow_by_outcome(api, everything, record_type):
    rows = narrows(api, everything, lambda r: r["hangup_code"] in HANGUPS[record_type], record_types=[record_type])
    if record_type == 1:      # complete = answered: answer time, billed in whole minutes, a MOS
        assert all(r["answer_timestamp"] and int(r["billable_time"]) % 60 == 0 and int(r["billable_time"]) > 0
                   and 3.5 <= float(r["mos"]) <= 4.5 for r in rows)
    else:                     # incomplete = not answered (no answer, busy); errors = failed
        assert all(r["answer_timestamp"] == "" and r["billable_time"] == "0" and r["cost"] == "0.0000"
                   and r["mos"] == "" for r in rows)


def test_record_types_combine(api, everything):
    narrows(api, everything, lambda r: r["hangup_code"] not in HANGUPS[2], record_types=[3, 1])


@pytest.mark.parametrize("connection", ACME_CONNECTIONS)
def test_connections_narrow_to_the_connections_calls(api, everything, connection):
    rows = narrows(api, everything, lambda r: r["connection_id"] == connection, connections=[connection])
    assert {r["billing_group_id"] for r in rows} == {ACME_GROUPS[connection]}


def test_unknown_connection_gives_an_empty_report(api):
    assert api.report_rows(dict(EVERYTHING, connections=["42"])) == []


@pytest.mark.parametrize("value, how, check", [
    ("1202", "starts_with", lambda n: n.startswith("1202")),
    ("+1202", "starts_with", lambda n: n.startswith("1202")),       # a leading + is ignored
    ("5550", "contains", lambda n: "5550" in n),
    ("99", "ends_with", lambda n: n.endswith("99")),
])
@pytest.mark.parametrize("field, column", [("cli", "origination_number"), ("cld", "terminating_number")])
def test_number_filters(api, everything, field, column, value, how, check):
    narrows(api, everything, lambda r: check(r[column].lstrip("+")),
            filters=[{"filter_type": "and", field: value, f"{field}_filter": how}])


@pytest.mark.parametrize("tags", ["support", ["sales"], ["toll-free", "sales"]])
def test_tags_list_matches_the_accounts_number(api, everything, tags):
    wanted = {tags} if isinstance(tags, str) else set(tags)
    rows = narrows(api, everything, lambda r: bool(TAGS.get(own_number(r), set()) & wanted),
                   filters=[{"filter_type": "and", "tags_list": tags}])
    assert all(set(r["tags"].split(";")) & wanted for r in rows)


def test_billing_group_filter(api, everything):
    group = ACME_GROUPS["1684641123236054002"]
    narrows(api, everything, lambda r: r["billing_group_id"] == group,
            filters=[{"filter_type": "and", "billing_group": group.upper()}])


def test_and_filters_intersect(api, everything):
    narrows(api, everything,
            lambda r: r["origination_number"].startswith("+1202") and r["terminating_number"].endswith("1"),
            filters=[{"filter_type": "and", "cli": "1202", "cli_filter": "starts_with"},
                     {"filter_type": "and", "cld": "1", "cld_filter": "ends_with"}])


def test_or_filters_unite(api, everything):
    narrows(api, everything,
            lambda r: r["origination_number"].startswith("+1202") or r["origination_number"].startswith("+1312"),
            filters=[{"filter_type": "and", "cli": "1202", "cli_filter": "starts_with"},
                     {"filter_type": "or", "cli": "1312", "cli_filter": "starts_with"}])


def test_and_group_then_or(api, everything):
    """[A and B or C] keeps (A and B) or C."""
    def keep(r):
        a = r["origination_number"].startswith("+1202")
        b = r["terminating_number"].startswith("+44")
        c = "support" in TAGS.get(own_number(r), set())
        return (a and b) or c
    narrows(api, everything, keep,
            filters=[{"filter_type": "and", "cli": "1202", "cli_filter": "starts_with"},
                     {"filter_type": "and", "cld": "44", "cld_filter": "starts_with"},
                     {"filter_type": "or", "tags_list": ["support"]}])


def test_filters_combine_with_types_and_connections(api, everything):
    narrows(api, everything,
            lambda r: r["direction"] == "outbound" and r["hangup_code"] == "200"
            and r["connection_id"] == ACME_CONNECTIONS[0] and "555" in r["terminating_number"],
            call_types=[2], record_types=[1], connections=[ACME_CONNECTIONS[0]],
            filters=[{"filter_type": "and", "cld": "555", "cld_filter": "contains"}])


def test_v2_fields_choose_and_order_columns(api, everything):
    fields = ["cost", "start_timestamp_utc", "call_leg_id"]
    rows = api.report_rows({"start_time": "2024-02-02T12:00:00Z", "end_time": "2024-02-12T12:00:00Z",
                            "call_types": [1, 2], "record_types": [1, 2, 3], "fields": fields}, v2=True)
    assert [list(r) for r in rows[:1]] == [fields]
    assert rows == [{f: r[f] for f in fields} for r in everything]


def test_v2_single_field(api, everything):
    rows = api.report_rows({"start_time": "2024-02-02T12:00:00Z", "end_time": "2024-02-12T12:00:00Z",
                            "call_types": [1, 2], "record_types": [1, 2, 3], "fields": ["pdd"]}, v2=True)
    assert rows == [{"pdd": r["pdd"]} for r in everything]


def test_v2_single_field_keeps_the_calls_whose_value_is_empty(api, everything):
    rows = api.report_rows({"start_time": "2024-02-02T12:00:00Z", "end_time": "2024-02-12T12:00:00Z",
                            "call_types": [1, 2], "record_types": [1, 2, 3], "fields": ["mos"]}, v2=True)
    assert rows == [{"mos": r["mos"]} for r in everything]
    assert any(r["mos"] == "" for r in rows)     # unanswered calls have no MOS


def test_v2_timezone_shifts_local_columns_only(api, everything):
    rows = api.report_rows({"start_time": "2024-02-02T12:00:00Z", "end_time": "2024-02-12T12:00:00Z",
                            "call_types": [1, 2], "record_types": [1, 2, 3], "timezone": "America/New_York"},
                           v2=True)
    assert len(rows) == len(everything)
    for local, utc in zip(rows, everything):
        assert local["start_timestamp_utc"] == utc["start_timestamp_utc"]
        assert local["start_timestamp"].endswith("-05:00")
        hour_utc = int(utc["start_timestamp"][11:13])
        assert int(local["start_timestamp"][11:13]) == (hour_utc - 5) % 24
        assert local["start_timestamp"][14:19] == utc["start_timestamp"][14:19]
        assert {k: v for k, v in local.items() if not k.endswith("timestamp")} == \
               {k: v for k, v in utc.items() if not k.endswith("timestamp")}


def test_values_are_consistent(everything):
    for r in everything:
        minutes = int(r["billable_time"]) // 60
        assert r["cost"] == f"{float(r['rate']) * minutes:.4f}"
        assert r["origination_number"].startswith("+") and r["terminating_number"].startswith("+")
        assert r["start_timestamp_utc"] <= r["end_timestamp"]
        assert r["sip_call_id"].startswith(r["call_leg_id"] + "@")
        assert r["tags"] == ";".join(sorted(TAGS.get(own_number(r), ()), key=["sales", "us-east", "support",
                                                                              "toll-free"].index))
        assert r["connection_id"] in ACME_CONNECTIONS
        if r["origination_number"].startswith("+1202"):
            assert (r["origination_city"], r["origination_state"], r["origination_lata"],
                    r["origination_country"]) == ("Washington", "DC", "236", "US")


def test_cells_that_need_quoting_are_quoted(make_api, tmp_path):
    """Fixture text (here a tag with a comma and a quote) is escaped; the file still parses."""
    section = yaml.safe_load((default_fixtures() / "telnyx.yaml").read_text())
    section["telnyx"]["accounts"]["acme"]["number_tags"] = {
        did: ['a,b "c"'] for did in ("12025550143", "12025550178", "13125550111", "18005550199")}
    path = tmp_path / "telnyx.yaml"
    path.write_text(yaml.safe_dump(section))
    api = make_api(fixtures=str(path))
    job = api.complete(api.created(EVERYTHING))
    text = api.download(job["report_url"]).get_data(as_text=True)
    assert '"a,b ""c"""' in text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and {r["tags"] for r in rows} == {'a,b "c"'}
