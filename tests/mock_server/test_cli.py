import json
from pathlib import Path

import pytest

from mock_server.bending.faults import UnknownFaultError
from mock_server.cli import banner, settings_from_args
from mock_server.settings import Settings


def test_flags_win_over_environment_which_wins_over_defaults() -> None:
    settings, _ = settings_from_args(["serve"], env={})
    assert settings.port == 4010 and settings.control and settings.cors_origins == ("*",)
    settings, _ = settings_from_args(["serve"], env={"DAYZERO_MOCK_PORT": "5000", "DAYZERO_MOCK_QUEUE_SECONDS": "9"})
    assert settings.port == 5000 and settings.queue_seconds == 9
    settings, _ = settings_from_args(
        [
            "serve",
            "--port",
            "6000",
            "--no-control",
            "--cors-origin",
            "http://a.example",
            "--fixtures",
            "x.yaml",
            "--seed",
            "3",
        ],
        env={"DAYZERO_MOCK_PORT": "5000"},
    )
    assert settings.port == 6000 and not settings.control and settings.cors_origins == ("http://a.example",)
    assert settings.fixtures_path == Path("x.yaml") and settings.seed == 3


def test_store_and_workers_come_from_flags_or_environment_and_settings_travel_to_workers_whole() -> None:
    from mock_server.persistence.records import from_record, to_record

    env = {"DAYZERO_MOCK_STORE": "sqlite:///env.db", "DAYZERO_MOCK_WORKERS": "3"}
    settings, _ = settings_from_args(["serve"], env=env)
    assert settings.store == "sqlite:///env.db" and settings.workers == 3
    settings, _ = settings_from_args(
        ["serve", "--store", "sqlite:///flag.db", "--workers", "2", "--fault", "cursor-500", "--latency", "5..9"],
        env=env,
    )
    assert settings.store == "sqlite:///flag.db" and settings.workers == 2
    assert "store:    sqlite:///flag.db, 2 workers" in banner(settings)
    # --workers hands the resolved settings to each worker process as JSON.
    assert from_record(Settings, json.loads(json.dumps(to_record(settings)))) == settings
    with pytest.raises(ValueError, match="needs a shared store"):
        settings_from_args(["serve", "--workers", "2"], env={})


def test_unknown_fault_is_refused() -> None:
    with pytest.raises(UnknownFaultError, match="nope"):
        settings_from_args(["serve", "--fault", "nope"], env={})


def test_banner_gives_the_url_the_docs_and_a_curl_line() -> None:
    settings, _ = settings_from_args(["serve", "--port", "4010"], env={})
    text = banner(settings)
    assert "http://127.0.0.1:4010/docs" in text and "curl -H 'Authorization: Bearer dz_demo_acme'" in text


def test_the_banner_curl_line_runs_as_printed_in_a_shell_that_refuses_unmatched_globs() -> None:
    """zsh refuses an unmatched ``?`` ("no matches found"); bash with failglob does the same."""
    import shutil
    import subprocess

    from mock_server.testing import running_mock

    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    with running_mock() as mock:
        line = next(x for x in banner(mock.settings).splitlines() if "try:" in x).split("try:", 1)[1].strip()
        result = subprocess.run(
            ["bash", "-O", "failglob", "-c", line + " -sS -o /dev/null -w '%{http_code}'"],
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert result.returncode == 0 and result.stdout == "200", result.stderr


def test_no_control_removes_the_control_api() -> None:
    from starlette.testclient import TestClient

    from mock_server.app import create_app

    settings, _ = settings_from_args(["serve", "--no-control"], env={})
    client = TestClient(create_app(settings))
    assert client.post("/__mock/reset").status_code == 404


def test_cors_origin_restricts_browsers_to_the_given_origins() -> None:
    from starlette.testclient import TestClient

    from mock_server.app import create_app

    settings, _ = settings_from_args(["serve", "--cors-origin", "http://app.example"], env={})
    client = TestClient(create_app(settings))
    headers = {"Authorization": "Bearer dz_demo_acme", "x-business-id": "11111111-1111-4111-8111-111111111111"}
    allowed = client.get("/api/v1/accounting-periods", headers={**headers, "Origin": "http://app.example"})
    assert allowed.headers["access-control-allow-origin"] == "http://app.example"
    other = client.get("/api/v1/accounting-periods", headers={**headers, "Origin": "http://evil.example"})
    assert "access-control-allow-origin" not in other.headers


def test_serve_help_lists_every_fault(capsys) -> None:
    from mock_server.bending.faults import FAULTS
    from mock_server.cli import main

    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    text = capsys.readouterr().out
    assert all(name in text for name in FAULTS)


def test_same_seed_serves_the_same_periods_and_another_seed_other_ones() -> None:
    from starlette.testclient import TestClient

    from mock_server.app import create_app

    headers = {"Authorization": "Bearer dz_demo_acme", "x-business-id": "11111111-1111-4111-8111-111111111111"}

    def periods(*flags: str) -> list[dict]:
        settings, _ = settings_from_args(["serve", "--clock", "frozen", *flags], env={})
        return TestClient(create_app(settings)).get("/api/v1/accounting-periods", headers=headers).json()["items"]

    assert periods("--seed", "7") == periods("--seed", "7")
    assert [p["id"] for p in periods("--seed", "7")] != [p["id"] for p in periods("--seed", "8")]


def test_a_custom_fixture_file_defines_who_may_call(tmp_path: Path) -> None:
    from starlette.testclient import TestClient

    from mock_server.app import create_app

    fixture = tmp_path / "team.yaml"
    fixture.write_text(
        "businesses: [{id: 44444444-4444-4444-8444-444444444444, name: Team Co, cfo_suite: true}]\n"
        "users: [{id: u1, email: qa@team.example, businesses: [44444444-4444-4444-8444-444444444444]}]\n"
        "tokens: [{token: dz_team, user: u1}]\n"
        "periods: {months: 6, closed_months: 1}\n"
    )
    settings, _ = settings_from_args(["serve", "--fixtures", str(fixture)], env={})
    client = TestClient(create_app(settings))
    team = {"Authorization": "Bearer dz_team", "x-business-id": "44444444-4444-4444-8444-444444444444"}
    assert len(client.get("/api/v1/accounting-periods", headers=team).json()["items"]) == 6
    demo = {"Authorization": "Bearer dz_demo_acme", "x-business-id": "11111111-1111-4111-8111-111111111111"}
    assert client.get("/api/v1/accounting-periods", headers=demo).status_code == 401


def test_generation_and_journal_size_come_from_flags_or_environment() -> None:
    settings, _ = settings_from_args(
        ["serve"], env={"DAYZERO_MOCK_GENERATION": "envelope", "DAYZERO_MOCK_JOURNAL_SIZE": "5"}
    )
    assert (settings.generation, settings.journal_size) == ("envelope", 5)
    settings, _ = settings_from_args(["serve", "--generation", "bare"], env={"DAYZERO_MOCK_GENERATION": "envelope"})
    assert settings.generation == "bare" and settings.journal_size == 1000
    assert "generation: envelope" in banner(settings_from_args(["serve", "--generation", "envelope"], env={})[0])
    with pytest.raises(SystemExit):
        settings_from_args(["serve", "--generation", "both"], env={})


def test_banner_warns_of_latency_and_chaos() -> None:
    settings, _ = settings_from_args(["serve", "--latency", "50..400", "--chaos", "0.05"], env={})
    text = banner(settings)
    assert "LATENCY:  50..400 ms" in text and "CHAOS:    5% of requests" in text
    assert "LATENCY" not in banner(settings_from_args(["serve"], env={})[0])


@pytest.mark.parametrize(
    ("argv", "env", "expected"),
    [
        (["--port", "99999"], {}, "argument --port: a port is a number from 1 to 65535, not 99999."),
        (["--port", "-5"], {}, "a port is a number from 1 to 65535, not -5."),
        (["--log-level", "loud"], {}, "the log level is one of critical, error, warning, info, debug, trace"),
        (["--public-url", "not-a-url"], {}, "the public URL must look like http://host:port"),
        (["--public-url", "http://mock.example:99999"], {}, "has an invalid port"),
        (["--chaos", "2"], {}, "a share of requests goes from 0 to 1"),
        (["--queue-seconds", "-1"], {}, "must be 0 or more"),
        (["--workers", "0"], {}, "workers go from 1 to 64"),
        (["--clock", "fast"], {}, "expected one of real, frozen, not 'fast'."),
        (["--latency", "fast"], {}, "latency must look like 50..400"),
        (["--cors-origin", "localhost:3000"], {}, "an origin looks like http://localhost:3000"),
        ([], {"DAYZERO_MOCK_PORT": "abc"}, "DAYZERO_MOCK_PORT='abc': expected a port (a whole number)"),
        ([], {"DAYZERO_MOCK_LOG_LEVEL": "loud"}, "DAYZERO_MOCK_LOG_LEVEL='loud': the log level is one of"),
        ([], {"DAYZERO_MOCK_NO_CONTROL": "maybe"}, "DAYZERO_MOCK_NO_CONTROL='maybe': expected 1/true/yes/on"),
        ([], {"DAYZERO_MOCK_ALLOW_OPEN_CONTROL": "maybe"}, "DAYZERO_MOCK_ALLOW_OPEN_CONTROL='maybe': expected"),
        ([], {"DAYZERO_MOCK_GENERATION": "both"}, "DAYZERO_MOCK_GENERATION='both': expected one of bare, envelope"),
        ([], {"DAYZERO_MOCK_PUBLIC_URL": "ftp://x"}, "DAYZERO_MOCK_PUBLIC_URL='ftp://x': the public URL must"),
        ([], {"DAYZERO_MOCK_CORS_ORIGIN": "http://ok.example,localhost:3000"}, "DAYZERO_MOCK_CORS_ORIGIN="),
        (["--fault", "nope"], {}, "Unknown fault(s) nope"),
        (["--now", "tomorrow"], {}, "expected a date-time such as 2026-12-01T09:00:00Z, not 'tomorrow'."),
    ],
)
def test_every_mistake_in_a_flag_or_variable_is_one_sentence_and_exit_2(
    argv: list[str], env: dict[str, str], expected: str, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    from mock_server.cli import main

    for name, value in env.items():
        monkeypatch.setenv(name, value)
    try:
        status = main(["serve", *argv])
    except SystemExit as exit:  # argparse's own exit
        status = exit.code
    err = capsys.readouterr().err
    assert status == 2 and expected in err and "Traceback" not in err
    assert len(err.strip().splitlines()) <= 2, err


def test_switches_from_the_environment_read_the_usual_words() -> None:
    assert settings_from_args(["serve"], env={"DAYZERO_MOCK_NO_CONTROL": "0"})[0].control
    # --allow-open-control reads the same words (it once took "false" for yes).
    assert settings_from_args(["serve"], env={"DAYZERO_MOCK_ALLOW_OPEN_CONTROL": "yes"})[0].allow_open_control
    assert not settings_from_args(["serve"], env={"DAYZERO_MOCK_ALLOW_OPEN_CONTROL": "false"})[0].allow_open_control
    assert not settings_from_args(["serve"], env={"DAYZERO_MOCK_NO_CONTROL": "yes"})[0].control
    assert settings_from_args(["serve"], env={"DAYZERO_MOCK_VALIDATE_RESPONSES": "true"})[0].validate_responses
    settings, level = settings_from_args(["serve"], env={"DAYZERO_MOCK_LOG_LEVEL": "INFO"})
    assert level == "info"


def test_repeatable_options_come_from_comma_separated_variables_and_flags_replace_them() -> None:
    """Every option has its variable (a container is configured with -e alone)."""
    env = {"DAYZERO_MOCK_CORS_ORIGIN": "http://a.example, http://b.example", "DAYZERO_MOCK_FAULT": "cursor-500"}
    settings, _ = settings_from_args(["serve"], env=env)
    assert settings.cors_origins == ("http://a.example", "http://b.example")
    assert settings.faults == frozenset({"cursor-500"})
    settings, _ = settings_from_args(
        ["serve", "--cors-origin", "http://c.example", "--fault", "wrong-file-size"], env=env
    )
    assert settings.cors_origins == ("http://c.example",) and settings.faults == frozenset({"wrong-file-size"})
    with pytest.raises(UnknownFaultError, match="nope"):
        settings_from_args(["serve"], env={"DAYZERO_MOCK_FAULT": "nope"})


def test_the_image_healthcheck_asks_the_mock_on_its_port(monkeypatch, capsys) -> None:
    from mock_server import healthcheck
    from mock_server.testing import running_mock

    with running_mock(Settings(clock="frozen")) as mock:
        monkeypatch.setenv("DAYZERO_MOCK_PORT", str(mock.settings.port))
        assert healthcheck.main() == 0 and '"status":"ok"' in capsys.readouterr().out
    assert healthcheck.main() == 1, "nothing listens there any more"
    assert "does not answer" in capsys.readouterr().err


def test_the_image_healthcheck_asks_the_port_the_containers_command_gives() -> None:
    from mock_server.healthcheck import served_port

    env = {"DAYZERO_MOCK_PORT": "4999"}
    assert served_port(["/opt/dayzero/bin/dayzero-mock", "serve", "--port", "5000"], env) == "5000"
    assert served_port(["dayzero-mock", "serve", "--port=5001", "--quiet"], env) == "5001"
    assert served_port(["/opt/dayzero/bin/dayzero-mock", "serve"], env) == "4999"
    assert served_port(["/sbin/init"], env) == "4999", "outside a container PID 1 is not the mock"
    assert served_port([], {}) == "4010"
