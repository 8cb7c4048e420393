"""Configuration: every problem named with file and key, exit 2, before anything starts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from maild.configfile import from_dict, load
from maild.durations import Duration
from maild.errors import ConfigError


def run(config: Path, *args: str, cwd: Path | None = None,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "maild", *(["--config", str(config)] if config else []), *args]
    return subprocess.run(argv, capture_output=True, text=True, cwd=cwd, check=False,
                          env={**os.environ, **(env or {})})


def test_unknown_key_exits_2_and_names_file_and_key(tmp_path: Path) -> None:
    cfg = tmp_path / "maild.toml"
    cfg.write_text('[support]\naddress = "support@example.com"\nlanguagee = "zh"\n')
    done = run(cfg, "check-config")
    assert done.returncode == 2
    assert "support.languagee: unknown key" in done.stderr
    assert str(cfg) in done.stderr
    assert done.stderr.count("\n") == 1, "one line"
    assert done.stdout == ""


def test_every_problem_is_listed_at_once(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as e:
        from_dict({
            "support": {"timezone": "Mars/Olympus", "language": "fr", "address": "nobody"},
            "sla": {"working_hours": "18:00-09:00", "targets": {"P1": {"first_response": "15x"}},
                    "holidays": ["2026-13-01"]},
            "mailboxes": [{"host": 12}],
            "smtp": {"port": "587"},
        }, "x.toml")
    text = str(e.value)
    for needle in ("support.timezone: unknown time zone 'Mars/Olympus'",
                   "support.language: must be one of 'zh', 'en'",
                   "support.address: not an email address",
                   "sla.working_hours: bad working hours",
                   "sla.targets.P1.first_response: bad duration '15x'",
                   "sla.holidays: bad date '2026-13-01'",
                   "mailboxes[0].name: required key is missing",
                   "mailboxes[0].host: expected str, got integer",
                   "smtp.port: expected int, got string"):
        assert needle in text, text


def test_defaults_and_partial_sla_targets() -> None:
    s = from_dict({"sla": {"targets": {"P1": {"first_response": "10m"}}}})
    assert s.sla.targets["P1"].first_response == Duration(seconds=600)
    assert s.sla.targets["P1"].resolution == Duration(days=1)
    assert s.sla.targets["P4"].first_response == Duration(days=1)
    assert s.database.url == "sqlite:///maild.db"


def test_secret_file_and_command(tmp_path: Path) -> None:
    (tmp_path / "pw").write_text("s3cret\n")
    s = from_dict({"smtp": {"password_file": "pw"},
                   "mailboxes": [{"name": "a", "password_command": "echo from-command"}]},
                  str(tmp_path / "maild.toml"))
    assert s.smtp.password == "s3cret"
    assert s.mailboxes[0].password == "from-command"
    assert "s3cret" not in repr(s)


def test_unreachable_secrets_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as e:
        from_dict({"smtp": {"password_file": "missing"},
                   "mailboxes": [{"name": "a", "password_command": "false"},
                                 {"name": "b", "password": "x", "password_file": "y"}]},
                  str(tmp_path / "maild.toml"))
    text = str(e.value)
    assert "smtp.password_file: cannot read" in text
    assert "mailboxes[0].password_command: exited with status 1" in text
    assert "mailboxes[1]: give only one of password, password_file" in text


def test_invalid_toml_and_missing_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[support\n")
    done = run(bad, "check-config")
    assert done.returncode == 2 and "not valid TOML" in done.stderr
    done = run(tmp_path / "nope.toml", "tickets", "list")
    assert done.returncode == 2 and "file not found" in done.stderr


def test_lookup_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env_cfg = tmp_path / "env.toml"
    env_cfg.write_text('[support]\nname = "from env"\n')
    local = tmp_path / "maild.toml"
    local.write_text('[support]\nname = "from cwd"\n')
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MAILD_CONFIG", str(env_cfg))
    assert load(None).support.name == "from env"
    monkeypatch.delenv("MAILD_CONFIG")
    assert load(None).support.name == "from cwd"
    assert load(str(env_cfg)).support.name == "from env"


def test_example_config_is_valid_and_documents_every_key() -> None:
    import dataclasses
    import tomllib

    from maild import settings as st

    root = Path(__file__).resolve().parent.parent
    text = (root / "config" / "maild.example.toml").read_text()
    data = tomllib.loads(text)
    s = from_dict(data, "example")
    assert s.mailboxes and s.maildirs and s.knowledge
    for section in (st.DatabaseSettings, st.StorageSettings, st.SupportSettings,
                    st.MailboxSettings, st.SmtpSettings, st.AgentSettings, st.SlaSettings,
                    st.RulesSettings, st.MaildirSettings, st.KnowledgeEntry, st.OutboxSettings):
        for f in dataclasses.fields(section):
            documented = any(s in text for s in (f"{f.name} =", f".{f.name}.", f".{f.name}]"))
            assert documented, f"{section.__name__}.{f.name} is not in the example"
