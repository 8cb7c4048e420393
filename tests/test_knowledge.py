"""Knowledge hints: entries matched by error code (exact, glob, bare HTTP status, code in the
text) and by keyword, best first, each with its reason."""

from __future__ import annotations

from maild.knowledge import match
from maild.settings import KnowledgeEntry
from tests.test_rules_common import mail

EXPORT = KnowledgeEntry(
    "Export fails with ERR_EXPORT_100",
    "https://kb.example.com/export-100",
    codes=("ERR_EXPORT_100",),
    keywords=("导出失败", "export fails"),
)
ORACLE = KnowledgeEntry("Oracle errors", "https://kb.example.com/ora", codes=("ORA-*",))
SERVER = KnowledgeEntry("Server errors", "https://kb.example.com/500", codes=("500",))
CACHE = KnowledgeEntry("Clear the cache", "https://kb.example.com/cache", keywords=("cache",))
ALL = (CACHE, EXPORT, ORACLE, SERVER)


def test_code_match_with_reason() -> None:
    found = match(mail("订单导出", "报错 ERR_EXPORT_100"), ALL)
    assert [m.entry for m in found] == [EXPORT]
    assert "ERR_EXPORT_100" in found[0].reason


def test_code_outranks_keywords() -> None:
    found = match(mail("Export fails", "err_export_100 again, cleared the cache"), ALL)
    assert [m.entry for m in found] == [EXPORT, CACHE]
    assert "export fails" in found[0].reason


def test_glob_and_bare_http_status() -> None:
    assert [m.entry for m in match(mail("db", "ORA-00942: table does not exist"), ALL)] == [ORACLE]
    assert [m.entry for m in match(mail("login", "Error 500 on login"), ALL)] == [SERVER]


def test_keyword_matches_whole_words_only() -> None:
    assert match(mail("cached pages", "the cacheless mode"), ALL) == []
    assert [m.entry for m in match(mail("导出失败了", "请帮忙"), ALL)] == [EXPORT]


def test_nothing_matches_and_limit() -> None:
    assert match(mail("hello", "a question about invoices"), ALL) == []
    many = tuple(KnowledgeEntry(f"t{i}", f"u{i}", keywords=("export",)) for i in range(5))
    assert len(match(mail("export", "export"), many, limit=2)) == 2
