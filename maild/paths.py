"""Where maild's shipped data lives: `templates/` and `config/` at the top of a source
checkout, installed inside the package as `maild/templates` and `maild/defaults`."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _find(installed: str, source: str) -> Path:
    for candidate in (_PACKAGE / installed, _PACKAGE.parent / source):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"maild is installed without its {source}/ folder")


def templates_dir() -> Path:
    return _find("templates", "templates")


def defaults_dir() -> Path:
    return _find("defaults", "config")
