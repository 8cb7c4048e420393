"""The learned triage: terms, the model file, `maild triage train` / `check`, and how the learned
judgement and the word rules fold together."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from maild import learn, parsers
from maild.errors import ConfigError, MaildError
from maild.message import RuleHit
from maild.rules import _model, context_for, evaluate
from maild.rules.words import defaults
from maild.settings import RulesSettings, Settings
from tests.conftest import Maild, mail

NOW = datetime(2026, 9, 15, 2, 0, tzinfo=UTC)

# a small labelled set with plain, separable examples: enough to train and judge in tests
_KINDS: list[tuple[str, str, list[tuple[str, str]]]] = [
    ("P1", "functional", [
        ("System down", "Nobody in the company can log in since 9:00, all users get error 500."),
        ("全部用户无法登录", "今天早上开始所有用户都无法登录系统，业务全部中断。"),
        ("Payment down", "Checkout fails for every customer, no orders can be paid at all."),
        ("收银全部瘫痪", "所有门店收银都无法提交订单，核心业务中断。"),
    ]),
    ("P2", "functional", [
        ("Report export broken", "The monthly report will not export for our finance team."),
        ("报表导出失败", "财务部几个人导出月度报表时失败，其他功能正常。"),
        ("Export fails", "Exporting the sales report fails for some users in accounting."),
        ("部分用户导出报错", "部分同事导出报表报错，不影响下单。"),
    ]),
    ("P3", "consultation", [
        ("How do I add a user?", "Could you tell me how to add a new user to our account?"),
        ("怎么设置审批流程", "请问在哪里设置审批流程？谢谢。"),
        ("Question about invoices", "How can I change the invoice template? Just a question."),
        ("咨询一下", "请问如何批量导入客户资料？"),
    ]),
    ("P4", "other", [
        ("Suggestion: dark mode", "It would be nice to have a dark mode some day. Just an idea."),
        ("建议增加深色模式", "建议以后增加深色模式，不着急。"),
        ("Idea for the dashboard", "A suggestion: let us reorder the dashboard widgets someday."),
        ("优化建议", "建议首页图标可以再大一些，只是一个小建议。"),
    ]),
]


def _labelled(path: Path, copies: int = 3) -> Path:
    with path.open("w", encoding="utf-8") as f:
        n = 0
        for priority, category, mails in _KINDS:
            for subject, body in mails:
                for i in range(copies):
                    n += 1
                    f.write(json.dumps({
                        "id": f"t{n}", "subject": subject, "body": f"{body}\n\nRegards {i}",
                        "from": f"c{n}@customer.example", "priority": priority,
                        "category": category, "why": "test",
                    }, ensure_ascii=False) + "\n")
    return path


def _msg(subject: str, body: str, sender: str = "someone@customer.example") -> Any:
    return parsers.parse(mail(subject=subject, body=body, sender=sender), "zh", 25 << 20)


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> _model.Model:
    d = tmp_path_factory.mktemp("model")
    mails = learn.read([_labelled(d / "one.jsonl")])
    out = d / "m.json.gz"
    out.write_bytes(gzip.compress(json.dumps(learn.fit(mails)).encode()))
    return _model.load(out)


def test_terms_read_chinese_as_characters_and_english_as_words() -> None:
    got = _model.terms("无法登录 users can't log in.")
    for term in ("无", "无法", "无法登", "登录", "users", "can't", "in", "can't log", "log in"):
        assert term in got, term
    assert "in." not in got and "录 users" not in got


def test_model_text_folds_and_bounds() -> None:
    text = _model.model_text("ＵＲＧＥＮＴ Login", "x" * 10_000)
    assert text.startswith("urgent login\nurgent login\n")
    assert len(text) < _model.READ + 100


def test_trained_model_judges_unseen_mail_and_says_why(trained: _model.Model) -> None:
    cases = [
        ("Everything down", "All users cannot log in this morning, business stopped.", "P1"),
        ("请问怎么修改密码", "请问如何修改登录密码？", "P3"),
        ("A small idea", "Just a suggestion: a dark mode would be nice someday.", "P4"),
    ]
    for subject, body, want in cases:
        vec = _model.vector(trained, _model.model_text(subject, body))
        j = _model.judge(trained, "priority", vec)
        assert j.label == want, (subject, j)
        assert 0.25 < j.sure <= 1.0
        assert j.because and all(t in _model.terms(_model.model_text(subject, body))
                                 for t in j.because)


def test_a_mail_of_unknown_words_gets_no_learned_hit(trained: _model.Model) -> None:
    ctx = context_for(Settings(), NOW, defaults(), trained)
    v = evaluate(_msg("qqqq", "zzzz xxxx"), ctx)
    assert not any(h.rule.startswith("learned-") for h in v.hits)


def test_the_model_decides_and_vip_raises_on_top(trained: _model.Model) -> None:
    msg = _msg("Question", "Could you tell me how to add a new user? Just a question.",
               sender="boss@vip.example")
    plain = evaluate(msg, context_for(Settings(), NOW, defaults(), trained))
    assert (plain.priority, plain.category) == ("P3", "consultation")
    assert [h.rule for h in plain.hits if h.rule.startswith("learned-")] == \
        ["learned-category", "learned-priority"]
    vip = Settings(rules=RulesSettings(vip_senders=("*@vip.example",)))
    raised = evaluate(msg, context_for(vip, NOW, defaults(), trained))
    assert raised.priority == "P2"
    assert any(h.rule == "vip-sender" for h in raised.hits)


def test_word_hits_the_model_overrules_are_not_given_as_reasons(trained: _model.Model) -> None:
    # the word rules read "紧急" + a fault; the model reads a suggestion
    msg = _msg("建议增加深色模式", "紧急！建议以后增加深色模式，只是一个小建议。")
    v = evaluate(msg, context_for(Settings(), NOW, defaults(), trained))
    for h in v.hits:
        if h.effect.startswith("priority="):
            assert h.effect == f"priority={v.priority}", h
        if h.effect.startswith("category="):
            assert h.effect == f"category={v.category}", h
        assert not (h.effect.startswith("priority+") and h.rule not in ("vip-sender",
                                                                         "business-peak")), h


def test_a_disabled_learned_rule_hands_the_question_back(trained: _model.Model) -> None:
    msg = _msg("Report export broken", "The monthly report will not export for finance.")
    off = Settings(rules=RulesSettings(disabled=("learned-priority", "learned-category")))
    words_only = evaluate(msg, context_for(Settings(), NOW, defaults(), None))
    handed_back = evaluate(msg, context_for(off, NOW, defaults(), trained))
    assert (handed_back.priority, handed_back.category) == \
        (words_only.priority, words_only.category)
    assert handed_back.hits == words_only.hits


def test_fold_keeps_agreeing_word_hits() -> None:
    from maild.rules import _agrees

    learned = {"learned-priority": RuleHit("learned-priority", "priority=P1", "")}
    after = frozenset({"vip-sender"})
    assert _agrees(RuleHit("core-down", "priority=P1", ""), "P1", "data", learned, after)
    assert not _agrees(RuleHit("impact-words", "priority=P2", ""), "P1", "data", learned, after)
    assert not _agrees(RuleHit("urgency-words", "priority+1 max P2", ""), "P1", "data",
                       learned, after)
    assert _agrees(RuleHit("vip-sender", "priority+1", ""), "P1", "data", learned, after)
    # the category was not learned here: every category hit stays
    assert _agrees(RuleHit("category-words", "category=other", ""), "P1", "data", learned,
                   after)


def test_the_file_form_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_text(json.dumps(_small()))
    m = _model.load(path)
    assert dict(m.index) == {"a": 0, "b": 1} and list(m.idf) == [1.0, 2.0]
    assert [round(v, 4) for v in m.heads["priority"].weights[0]] == [0.5, -0.5]
    j = _model.judge(m, "priority", _model.vector(m, "a a"))
    assert j.label == "x" and j.because == ("a",)


def test_configured_reads_once_and_none_turns_it_off(tmp_path: Path) -> None:
    assert _model.configured("none") is None
    assert _model.configured("NONE ") is None
    shipped = _model.configured("")
    assert shipped is not None and shipped is _model.configured("")
    assert shipped.trained_on >= 1000


def _small() -> dict[str, Any]:
    from array import array

    heads = {q: _model.Head(("x", "y"), (0.0, 0.0), (array("f", [0.5, -0.5]),
                                                     array("f", [-0.5, 0.5])))
             for q in _model.QUESTIONS}
    return _model.to_json(["a", "b"], [1.0, 2.0], heads, 2)


def _tampered(change: Callable[[dict[str, Any]], None]) -> bytes:
    data = _small()
    change(data)
    return json.dumps(data).encode()


def test_a_model_retrained_in_place_is_read_again(tmp_path: Path) -> None:
    import os

    path = tmp_path / "m.json"
    path.write_text(json.dumps(_small()))
    first = _model.configured(str(path))
    assert first is not None and first is _model.configured(str(path))
    data = _small()
    data["trained_on"] = 7
    path.write_text(json.dumps(data))
    os.utime(path, ns=(1, 10**18))  # a later version, whatever the clock's resolution
    again = _model.configured(str(path))
    assert again is not None and again.trained_on == 7
    path.unlink()
    with pytest.raises(ConfigError, match="rules.model"):
        _model.configured(str(path))


@pytest.mark.parametrize("content, problem", [
    (b"", "cannot read the triage model"),
    (b"{not json", "cannot read the triage model"),
    (json.dumps({"format": "other"}).encode(), "not a triage model"),
    (_tampered(lambda d: d["heads"].pop("category")), "not a triage model"),
    (_tampered(lambda d: d.update(terms="a\nb\nc")), "terms and idf do not match"),
    (_tampered(lambda d: d.update(idf="!!notbase64")), "not a triage model"),
    (_tampered(lambda d: d["heads"]["priority"]["weights"][0].update(int16="AAAAAAAA")),
     "wrong length"),
    (_tampered(lambda d: d["heads"]["priority"]["labels"].append("z")), "mismatched"),
])
def test_a_broken_model_file_is_a_config_error(tmp_path: Path, content: bytes,
                                               problem: str) -> None:
    path = tmp_path / "m.json"
    path.write_bytes(content)
    with pytest.raises(ConfigError, match=problem) as e:
        _model.load(path)
    assert "rules.model" in str(e.value)


def test_labelled_files_with_bad_lines_name_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"subject": "a", "body": "b", "priority": "P1", "category": "data"}\n'
                   '{"subject": "a", "body": "b", "priority": "P9", "category": "data"}\n')
    with pytest.raises(MaildError, match=r"bad.jsonl:2: unknown label 'P9'"):
        learn.records(bad)
    bad.write_text('{"subject": "a"}\n')
    with pytest.raises(MaildError, match=r"bad.jsonl:1: not a labelled mail"):
        learn.records(bad)


def test_cli_train_check_and_parse_with_the_trained_model(
    tmp_path: Path, make_maild: Callable[..., Maild]
) -> None:
    maild = make_maild(upgrade=False)
    one, two = _labelled(tmp_path / "one.jsonl"), _labelled(tmp_path / "two.jsonl", copies=2)
    out = tmp_path / "model.json.gz"
    done = maild.json("triage", "train", str(one), str(two), "--out", str(out), "--held-out")
    assert done["trained_on"] == 80 and done["terms"] > 50
    assert set(done["held_out"]) == {"one.jsonl", "two.jsonl"}
    assert done["training_accuracy"]["priority"] == 1.0
    assert out.exists() and not out.with_name(out.name + ".tmp").exists()

    maild = make_maild(upgrade=False, rules={"model": str(out)})
    three = _labelled(tmp_path / "three.jsonl", copies=1)
    checked = maild.json("triage", "check", str(one), str(three), "--misses")
    assert checked["model"] == str(out)
    assert checked["files"][str(one)]["trained_on"] is True
    assert checked["files"][str(three)]["trained_on"] is False
    assert checked["files"][str(one)]["priority"] == 1.0
    assert checked["total"]["mails"] == 64
    assert sum(c["mails"] for c in checked["confusion"]["priority"]) == 64
    said = maild("triage", "check", str(one), str(three)).stdout.decode()
    assert said.count("the model was trained on this file") == 1

    p = tmp_path / "m.eml"
    p.write_bytes(mail(subject="System down", body="All users cannot log in, error 500."))
    parsed = maild.json("parse", str(p), "--json")
    assert parsed["priority"] == "P1"
    learned = [r for r in parsed["reasons"] if r["rule"] == "learned-priority"]
    assert learned and learned[0]["effect"] == "priority=P1"
    assert "80 labelled mails" in learned[0]["reason"] and "weighed most" in learned[0]["reason"]


def test_cli_train_refuses_too_little_or_one_sided_mail(
    tmp_path: Path, make_maild: Callable[..., Maild]
) -> None:
    maild = make_maild(upgrade=False)
    few = tmp_path / "few.jsonl"
    few.write_text("".join(json.dumps({"subject": "s", "body": f"b {i}", "priority": "P3",
                                       "category": "other"}) + "\n" for i in range(3)))
    done = maild("triage", "train", str(few), "--out", str(tmp_path / "m.json"))
    assert done.returncode == 1 and b"too few" in done.stderr
    few.write_text("".join(json.dumps({"subject": "s", "body": f"b {i}", "priority": "P3",
                                       "category": "other"}) + "\n" for i in range(20)))
    done = maild("triage", "train", str(few), "--out", str(tmp_path / "m.json"))
    assert done.returncode == 1 and b"at least two priorities" in done.stderr


def test_check_config_rejects_a_missing_model(make_maild: Callable[..., Maild],
                                              tmp_path: Path) -> None:
    maild = make_maild(upgrade=False, rules={"model": str(tmp_path / "nowhere.json.gz")})
    done = maild("check-config")
    assert done.returncode == 2
    assert b"rules.model" in done.stderr and b"nowhere.json.gz" in done.stderr


def test_agent_corrections_export_as_labelled_mail(make_maild: Callable[..., Maild],
                                                   tmp_path: Path) -> None:
    m = make_maild(rules={"vip_senders": ["*@vip.example"]})

    def ingest(raw: bytes) -> dict[str, Any]:
        done = m("ingest", "-", "--json", input=raw)
        assert done.returncode == 0, done.stderr.decode()
        out: dict[str, Any] = json.loads(done.stdout)[0]
        return out

    def note_of(n: int) -> str:
        return next(r["message_id"] for r in m.json("outbox", "list", "--all")
                    if r["purpose"] == "notify" and r["ticket"] == n)

    def agent(text: str, n: int) -> None:
        extra = f"In-Reply-To: {note_of(n)}\r\nReferences: {note_of(n)}\r\n"
        out = ingest(mail(subject="RE: x", body=text, sender="Alice <alice@example.com>",
                          extra=extra))
        assert out["action"] == "agent_reply", out

    a = ingest(mail(subject="导出很慢", body="月底导出报表要等很久，请帮忙看看。"))["ticket"]
    b = ingest(mail(subject="Login page typo", body="Tiny typo on the login page."))["ticket"]
    c = ingest(mail(subject="Question", body="How do I add a user?",
                    sender="boss@vip.example"))["ticket"]
    d = ingest(mail(subject="Question", body="How do I add a user?",
                    sender="boss@vip.example"))["ticket"]
    untouched = ingest(mail(subject="Another", body="Something else."))["ticket"]
    agent("#priority P1\r\n马上处理", a)
    agent("#category functional\r\nnoted", b)
    agent("#category consultation\r\nnoted", c)  # VIP-raised priority, not set: left out
    agent("#priority P3\r\n#category consultation\r\nnoted", d)
    shown = {n: m.json("tickets", "show", str(n)) for n in (a, b)}

    out = tmp_path / "mine.jsonl"
    done = m("triage", "export", "--out", str(out))
    assert done.returncode == 0, done.stderr.decode()
    records = {r["id"]: r for r in learn.records(out)}
    assert set(records) == {f"ticket-{a}", f"ticket-{b}", f"ticket-{d}"}
    assert f"ticket-{untouched}" not in records and f"ticket-{c}" not in records
    ra, rb, rd = records[f"ticket-{a}"], records[f"ticket-{b}"], records[f"ticket-{d}"]
    assert (ra["priority"], ra["category"]) == ("P1", shown[a]["category"])
    assert ra["subject"] == "导出很慢" and "月底导出报表" in ra["body"]
    assert (rb["priority"], rb["category"]) == (shown[b]["priority"], "functional")
    assert (rd["priority"], rd["category"]) == ("P3", "consultation")
    assert "vip.example" not in out.read_text() and "customer.cn" not in out.read_text()
    assert m("triage", "export", "--since", "2999-01-01").stdout == b""
    assert m("triage", "export", "--since", "soon").returncode == 1
