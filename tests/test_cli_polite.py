"""A polite command line: every bad argument is exit status 2 and one line on stderr that names
the argument and what it accepts, never a traceback (each case reproduces a report)."""
import io
import os
import socket
import subprocess
import sys
import tarfile

import pytest

from mockcdr.cli import main


def fails(capsys, *argv, env=None, monkeypatch=None):
    """(exit status, stderr) of a command line that must fail before doing anything."""
    if env:
        for key, value in env.items():
            monkeypatch.setenv(key, value)
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    assert out == "", out
    return code, err


def one_line(err: str) -> str:
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert "Traceback" not in err
    return err.rstrip("\n")


@pytest.mark.parametrize("argv,expected", [
    # a --param without '=' used to raise "dictionary update sequence element #0 has length 1"
    (["generate", "didww", "--from", "2026-03-01", "--param", "foo"],
     "mockcdr generate: argument --param: 'foo' must look like KEY=VALUE"),
    # unknown keys used to be ignored, and the valid ones were listed nowhere
    (["generate", "didww", "--from", "2026-03-01", "--param", "foo=1"],
     "mockcdr generate: argument --param: 'foo' is not a didww parameter; valid: export_type, "
     "api_version, did_number, voice_out_trunk.id, file_id"),
    (["generate", "yeastar", "--from", "2026-03-01", "--param", "ext=1000"],
     "mockcdr generate: argument --param: 'ext' is not a yeastar parameter; valid: extid, number"),
    (["generate", "didww", "--from", "2026-03-01", "--rows", "-5"],
     "mockcdr generate: argument --rows: -5 is not a whole number of at least 1"),
    (["generate", "didww", "--from", "2026-03-01", "--rows", "0"],
     "mockcdr generate: argument --rows: 0 is not a whole number of at least 1"),
    # --to before --from used to write gzip bytes to the terminal and exit 0
    (["generate", "didww", "--from", "2026-03-01", "--to", "2026-02-01"],
     "mockcdr generate: argument --to: 2026-02-01T00:00:00Z is not after --from 2026-03-01T00:00:00Z"),
    (["generate", "didww", "--from", "2026-03-01", "--to", "2026-03-01"],
     "mockcdr generate: argument --to: 2026-03-01T00:00:00Z is not after --from 2026-03-01T00:00:00Z"),
    (["generate", "didww", "--from", "yesterday"],
     "mockcdr generate: argument --from: 'yesterday' is not an ISO 8601 date-time (e.g. 2026-03-01 "
     "or 2026-03-01T12:00:00Z)"),
    (["generate", "didww", "--from", "2026-03-01", "--format", "xml"],
     "mockcdr generate: argument --format: 'xml' is not a didww format; valid: cdr_in, cdr_out, "
     "2021-12-15, 2022-05-10, 2026-04-16"),
    (["generate", "mor", "--from", "2026-03-01", "--format", "rar"],
     "mockcdr generate: argument --format: 'rar' is not a mor format; valid: tgz, zip, none"),
    (["generate", "acme", "--from", "2026-03-01"],
     "mockcdr generate: argument {didww,telnyx,yeti,mor,yeastar}: invalid choice: 'acme' (choose "
     "from 'didww', 'telnyx', 'yeti', 'mor', 'yeastar')"),
    # generate offered --vendors, which did nothing there
    (["generate", "didww", "--from", "2026-03-01", "--vendors", "yeti"],
     "mockcdr: unrecognized arguments: --vendors yeti"),
    (["serve", "--port", "99999"], "mockcdr serve: argument --port: 99999 is not a TCP port from 0 to 65535"),
    (["serve", "--port", "http"], "mockcdr serve: argument --port: 'http' is not a TCP port from 0 to 65535"),
    (["serve", "--threads", "0"], "mockcdr serve: argument --threads: 0 is not a whole number of at least 1"),
    (["serve", "--vendors", "didww,acme"],
     "mockcdr serve: argument --vendors: 'didww,acme' is not a list of vendors; choose from didww, "
     "telnyx, yeti, mor, yeastar (comma separated)"),
    (["serve", "--vendor-port", "didww:8081"],
     "mockcdr serve: argument --vendor-port: 'didww:8081' must look like SLUG=PORT with SLUG one of "
     "didww, telnyx, yeti, mor, yeastar"),
    (["serve", "--log-format", "xml"],
     "mockcdr serve: argument --log-format: invalid choice: 'xml' (choose from 'text', 'json')"),
    (["serve", "--seed", ""], "mockcdr serve: argument --seed: must not be empty"),
    (["serve", "--clock-start", "noon"],
     "mockcdr serve: argument --clock-start: 'noon' is not an ISO 8601 date-time (e.g. 2026-03-01 or "
     "2026-03-01T12:00:00Z)"),
    (["spec", "acme"], "mockcdr spec: argument name: no spec named 'acme'; valid: control, didww, mor, "
                       "telnyx, yeastar, yeti"),
    ([], "mockcdr: the following arguments are required: {serve,spec,generate,control}"),
])
def test_a_bad_argument_is_one_line_naming_it_and_what_it_accepts(capsys, argv, expected):
    code, err = fails(capsys, *argv)
    assert code == 2
    line = one_line(err)
    command = " ".join(["mockcdr", *argv[:1]]) if not line.startswith("mockcdr: ") else "mockcdr"
    assert line == f"{expected} (see '{command} --help')"


@pytest.mark.parametrize("variable", ["MOCKCDR_SEED", "MOCKCDR_PORT", "MOCKCDR_FIXTURES", "MOCKCDR_VENDORS"])
def test_an_empty_environment_variable_is_refused_by_name(capsys, monkeypatch, variable):
    code, err = fails(capsys, "generate", "yeastar", "--from", "2026-03-01", env={variable: ""},
                      monkeypatch=monkeypatch)
    assert code == 2
    assert one_line(err) == f"mockcdr: {variable}: set but empty; give it a value or unset it"


def test_a_bad_environment_value_names_the_variable(capsys, monkeypatch):
    code, err = fails(capsys, "generate", "yeastar", "--from", "2026-03-01",
                      env={"MOCKCDR_CALLS_PER_DAY": "lots"}, monkeypatch=monkeypatch)
    assert code == 2 and one_line(err) == "mockcdr: MOCKCDR_CALLS_PER_DAY: 'lots' is not a whole number"


@pytest.mark.parametrize("argv,expected", [
    # a local argument error used to claim "(HTTP 400)" with no server running
    (["clock", "advance"], "mockcdr control clock: advance: a duration (PT1H, 90) is required "
                           "(see 'mockcdr control clock --help')"),
    (["clock", "set"], "mockcdr control clock: set: an ISO instant (2026-04-16T12:00:00Z) is required "
                       "(see 'mockcdr control clock --help')"),
    (["faults", "add"], "mockcdr control faults: add: the vendor is required (see 'mockcdr control faults --help')"),
    (["faults", "delete", "first"],
     "mockcdr control faults: delete: the fault id must be a number (mockcdr control faults lists "
     "them), not 'first' (see 'mockcdr control faults --help')"),
    (["jobs", "force"], "mockcdr control jobs: force: the job id is required (see 'mockcdr control jobs --help')"),
    (["snapshot", "load", "/nonexistent/snap.json"],
     "mockcdr control snapshot: load: cannot read /nonexistent/snap.json: No such file or directory "
     "(see 'mockcdr control snapshot --help')"),
    (["transitions", "set", "didww.export", "after_seconds", "--seconds", "ten"],
     "mockcdr control transitions: argument --seconds: 'ten' must look like STATE=SECONDS, e.g. "
     "processing=10 (see 'mockcdr control transitions --help')"),
    (["journal", "--limit", "all"],
     "mockcdr control journal: argument --limit: 'all' is not a whole number (see 'mockcdr control journal --help')"),
    (["clock", "rewind"],
     "mockcdr control clock: argument op: invalid choice: 'rewind' (choose from 'show', 'set', 'advance', "
     "'freeze', 'unfreeze') (see 'mockcdr control clock --help')"),
])
def test_control_argument_errors_are_local_exit_2_and_claim_no_http_status(capsys, argv, expected):
    # the URL answers nothing: none of these may reach for a server
    code, err = fails(capsys, "control", "--url", "http://127.0.0.1:9", *argv)
    assert code == 2 and one_line(err) == expected and "HTTP" not in err


def test_control_url_and_its_variable_are_checked(capsys, monkeypatch):
    code, err = fails(capsys, "control", "--url", "localhost:8080", "health")
    assert code == 2 and one_line(err) == ("mockcdr control: argument --url: 'localhost:8080' is not an "
                                           "http(s) URL, e.g. http://127.0.0.1:8080 (see 'mockcdr control --help')")
    code, err = fails(capsys, "control", "health", env={"MOCKCDR_URL": ""}, monkeypatch=monkeypatch)
    assert code == 2 and "MOCKCDR_URL: set but empty" in one_line(err)


def test_control_says_where_it_looked_when_nothing_answers(capsys):
    code, err = fails(capsys, "control", "--url", "http://127.0.0.1:9", "health")
    assert code == 1
    line = one_line(err)
    assert line.startswith("mockcdr control: cannot reach http://127.0.0.1:9: ")
    assert "is `mockcdr serve` running there?" in line and "--url or MOCKCDR_URL" in line


def _busy_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen()
    return s, s.getsockname()[1]


def test_a_port_in_use_names_host_and_port_and_suggests_another(capsys):
    sock, port = _busy_port()
    with sock:
        code = main(["serve", "--port", str(port), "--vendors", "yeastar"])
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert one_line(err) == (f"mockcdr: cannot listen on 127.0.0.1:{port}: the address is already in use "
                             "(another mockcdr, or another program); choose another port with --port "
                             "(0 picks a free one)")


def test_a_vendor_port_in_use_names_its_flag(capsys):
    sock, port = _busy_port()
    with sock:
        code = main(["serve", "--port", "0", "--vendors", "yeastar", "--vendor-port", f"yeastar={port}"])
    _, err = capsys.readouterr()
    assert code == 1 and one_line(err) == (
        f"mockcdr: cannot listen on 127.0.0.1:{port}: the address is already in use (another mockcdr, "
        "or another program); choose another port with --vendor-port yeastar=PORT")


def test_python_dash_m_mockcdr_is_the_command_line():
    done = subprocess.run([sys.executable, "-m", "mockcdr", "generate", "didww", "--from", "2026-03-01",
                           "--param", "foo"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("mockcdr generate: argument --param: 'foo' must look like KEY=VALUE")
    help_ = subprocess.run([sys.executable, "-m", "mockcdr", "generate", "--help"], capture_output=True,
                           text=True, timeout=60)
    assert help_.returncode == 0 and "--vendors" not in help_.stdout and "--param KEY=VALUE" in help_.stdout


def test_generate_mor_names_its_archive_member_after_the_rows_it_holds(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(io.BytesIO()))
    assert main(["generate", "mor", "--from", "2026-03-01T00:00:00Z", "--rows", "3", "--seed", "names"]) == 0
    sys.stdout.flush()
    data = sys.stdout.buffer.getvalue()
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        (member,) = tar.getmembers()
        rows = tar.extractfile(member).read().decode().splitlines()[1:]
    assert len(rows) == 3
    # cdr_export_{task}_{from}_{till}.csv in the admin's zone; till is the last row's second
    _, _, _, start, till = member.name.removesuffix(".csv").split("_")
    last = rows[-1].split(",")[0].replace("-", "").replace(" ", "").replace(":", "")
    assert start < till == last and till < "20260302"


def test_generate_mor_with_a_window_keeps_its_name(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(io.BytesIO()))
    assert main(["generate", "mor", "--from", "2026-03-01T05:00:00Z", "--to", "2026-03-02T05:00:00Z",
                 "--param", "timezone=UTC"]) == 0
    sys.stdout.flush()
    with tarfile.open(fileobj=io.BytesIO(sys.stdout.buffer.getvalue()), mode="r:gz") as tar:
        assert tar.getnames() == ["cdr_export_0_20260301050000_20260302045959.csv"]


def test_no_argument_error_anywhere_prints_a_traceback():
    """The reports' exact commands, end to end in a child process."""
    env = {**os.environ, "MOCKCDR_SEED": ""}
    for argv in (["generate", "didww", "--from", "2026-03-01", "--param", "foo"],
                 ["generate", "didww", "--from", "2026-03-01", "--to", "2026-02-01"],
                 ["serve", "--port", "8080"],            # refused for the empty MOCKCDR_SEED first
                 ["control", "--url", "http://127.0.0.1:9", "clock", "advance"]):
        done = subprocess.run([sys.executable, "-m", "mockcdr", *argv], capture_output=True, text=True,
                              timeout=60, env=env)
        assert done.returncode == 2, (argv, done.stderr)
        assert done.stdout == "" and done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
