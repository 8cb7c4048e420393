"""Find, read and validate the TOML configuration into `Settings`.

Input: a path (or the CONTRACT lookup order). Output: frozen `Settings`, or one
`ConfigError` listing every problem with its key. It runs secret commands and reads secret
files (so an unreachable secret stops maild before it starts), and nothing else: no
network, no database.
"""

from __future__ import annotations

import dataclasses
import os
import shlex
import subprocess
import tomllib
import types
import typing
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from maild.durations import Duration
from maild.errors import ConfigError
from maild.settings import DEFAULT_TARGETS, PRIORITIES, Settings

SEARCH_PATH = ("./maild.toml", "/etc/maild/maild.toml")
SECRET_TIMEOUT = 20.0


def find(explicit: str | None) -> str:
    """The config file to use: --config, else $MAILD_CONFIG, else ./maild.toml, else /etc."""
    if explicit:
        return explicit
    env = os.environ.get("MAILD_CONFIG")
    if env:
        return env
    for candidate in SEARCH_PATH:
        if Path(candidate).is_file():
            return candidate
    return SEARCH_PATH[0]


def load(explicit: str | None = None) -> Settings:
    """Load and validate the config; raise ConfigError naming file, key and problem."""
    path = find(explicit)
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except FileNotFoundError:
        raise ConfigError(path, ["file not found"]) from None
    except OSError as e:
        raise ConfigError(path, [f"cannot read: {e.strerror}"]) from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(path, [f"not valid TOML: {e}"]) from None
    return from_dict(data, path)


def from_dict(data: dict[str, Any], path: str = "<config>") -> Settings:
    problems: list[str] = []
    data = _with_default_targets(data)
    settings = _build(Settings, data, "", problems, base=Path(path).parent)
    if not problems:
        settings = _resolve_secrets(settings, problems, base=Path(path).parent)
        _cross_checks(settings, problems)
    if problems:
        raise ConfigError(path, problems)
    result: Settings = dataclasses.replace(settings, source=str(path))
    return result


def _with_default_targets(data: dict[str, Any]) -> dict[str, Any]:
    """Targets not written in the file keep the PRODUCT.md defaults, key by key."""
    sla = data.get("sla")
    if not isinstance(sla, dict) or not isinstance(sla.get("targets"), dict):
        return data
    targets = dict(sla["targets"])
    for prio, default in DEFAULT_TARGETS.items():
        given = targets.get(prio, {})
        if isinstance(given, dict):
            targets[prio] = {
                "first_response": str(default.first_response),
                "resolution": str(default.resolution),
                **given,
            }
    return {**data, "sla": {**sla, "targets": targets}}


def _key(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _build(cls: type[Any], data: Any, where: str, problems: list[str], base: Path) -> Any:
    """Turn a TOML table into the dataclass `cls`, appending every problem found."""
    if not isinstance(data, dict):
        problems.append(f"{where or 'top level'}: expected a table, got {_tname(data)}")
        return None
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.name != "source"}
    for name in data:
        if name not in fields:
            problems.append(f"{_key(where, name)}: unknown key")
    values: dict[str, Any] = {}
    for name, f in fields.items():
        key = _key(where, name)
        if name not in data:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                problems.append(f"{key}: required key is missing")
            continue
        value = _convert(hints[name], data[name], key, problems, base)
        check = f.metadata.get("check")
        if value is not None and check is not None:
            try:
                check(value)
            except ValueError as e:
                problems.append(f"{key}: {e}")
                continue
        if value is not None:
            values[name] = value
    try:
        return cls(**values)
    except TypeError:
        return None  # a required key was missing: already reported


def _convert(tp: Any, value: Any, key: str, problems: list[str], base: Path) -> Any:
    origin = get_origin(tp)
    if tp is Duration:
        try:
            return Duration.parse(value)
        except ValueError as e:
            problems.append(f"{key}: {e}")
            return None
    if dataclasses.is_dataclass(tp):
        return _build(typing.cast(type[Any], tp), value, key, problems, base)
    if origin is Literal:
        allowed = get_args(tp)
        if value not in allowed:
            problems.append(f"{key}: must be one of {', '.join(map(repr, allowed))}, not {value!r}")
            return None
        return value
    if origin is tuple:
        (item_tp, _) = get_args(tp)
        if not isinstance(value, list):
            problems.append(f"{key}: expected a list, got {_tname(value)}")
            return None
        items = [_convert(item_tp, v, f"{key}[{i}]", problems, base) for i, v in enumerate(value)]
        return None if any(i is None for i in items) else tuple(items)
    if origin is dict:
        _, val_tp = get_args(tp)
        if not isinstance(value, dict):
            problems.append(f"{key}: expected a table, got {_tname(value)}")
            return None
        out = {k: _convert(val_tp, v, f"{key}.{k}", problems, base) for k, v in value.items()}
        return None if any(v is None for v in out.values()) else out
    if origin in (types.UnionType, typing.Union):
        raise TypeError(f"unions are not supported in settings ({key})")
    if tp is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, tp) or (tp is int and isinstance(value, bool)):
        problems.append(f"{key}: expected {tp.__name__}, got {_tname(value)} {value!r}")
        return None
    return value


def _tname(value: Any) -> str:
    return {
        dict: "table",
        list: "list",
        str: "string",
        int: "integer",
        float: "float",
        bool: "boolean",
    }.get(type(value), type(value).__name__)


def _resolve_secrets(settings: Settings, problems: list[str], base: Path) -> Settings:
    boxes = []
    for i, box in enumerate(settings.mailboxes):
        secret = _secret(
            f"mailboxes[{i}]", box.password, box.password_file, box.password_command, problems, base
        )
        if box.oauth2_token_command and (box.password or box.password_file or box.password_command):
            problems.append(f"mailboxes[{i}]: give either a password or oauth2_token_command")
        if box.oauth2_token_command:
            _secret(
                f"mailboxes[{i}]",
                "",
                "",
                box.oauth2_token_command,
                problems,
                base,
                name="oauth2_token_command",
            )
        boxes.append(dataclasses.replace(box, password=secret))
    smtp = settings.smtp
    smtp_secret = _secret(
        "smtp", smtp.password, smtp.password_file, smtp.password_command, problems, base
    )
    return dataclasses.replace(
        settings, mailboxes=tuple(boxes), smtp=dataclasses.replace(smtp, password=smtp_secret)
    )


def _secret(
    where: str,
    password: str,
    file: str,
    command: str,
    problems: list[str],
    base: Path,
    name: str = "password_command",
) -> str:
    given = [
        n
        for n, v in (("password", password), ("password_file", file), ("password_command", command))
        if v
    ]
    if len(given) > 1:
        problems.append(f"{where}: give only one of {', '.join(given)}")
        return ""
    if file:
        p = Path(file) if Path(file).is_absolute() else base / file
        try:
            return p.read_text(encoding="utf-8").strip()
        except OSError as e:
            problems.append(f"{where}.password_file: cannot read {str(p)!r}: {e.strerror}")
            return ""
    if command:
        return run_secret_command(where, name, command, problems)
    return password


def run_secret_command(where: str, name: str, command: str, problems: list[str]) -> str:
    """Run a secret command (no shell); its stdout, stripped, is the secret."""
    try:
        done = subprocess.run(
            shlex.split(command), capture_output=True, timeout=SECRET_TIMEOUT, check=False
        )
    except (OSError, ValueError, subprocess.TimeoutExpired) as e:
        problems.append(f"{where}.{name}: cannot run: {e}")
        return ""
    if done.returncode != 0:
        problems.append(f"{where}.{name}: exited with status {done.returncode}")
        return ""
    secret = done.stdout.decode("utf-8", "replace").strip()
    if not secret:
        problems.append(f"{where}.{name}: printed nothing")
    return secret


def _cross_checks(settings: Settings, problems: list[str]) -> None:
    for name in settings.sla.targets:
        if name not in PRIORITIES:
            problems.append(f"sla.targets.{name}: unknown priority (use {', '.join(PRIORITIES)})")
    names = [m.name for m in settings.mailboxes] + [m.name for m in settings.maildirs]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        problems.append(f"mailboxes/maildirs: names must be unique, repeated: {', '.join(dup)}")
