"""What kind a mail is, judged by its subject when no header says it: an automatic reply has
the auto-reply form; a customer writing about vacations, absences or automatic replies is a
new request (a labelled support mail "休假期间怎么委托别人审批" was once suppressed as an
out-of-office reply)."""

from __future__ import annotations

import pytest

from maild.classify import kind_of
from maild.parsers import parse
from tests.conftest import mail


@pytest.mark.parametrize("subject", [
    "自动回复: 订单导出失败", "自动回复：订单导出失败", "Out of Office: Re: export fails",
    "Automatic reply: hello", "Auto: away until Monday", "休假中", "Out of office",
    "AutoReply: your message", "Vacation reply: x",
])
def test_auto_reply_subjects(subject: str) -> None:
    msg = parse(mail(subject=subject, body="I am away."), "zh", 1 << 20)
    assert kind_of(msg, "support@example.com")[0] == "auto_reply"


@pytest.mark.parametrize("subject", [
    "休假期间怎么委托别人审批", "Vacation request approval broken",
    "Automatic reply emails not sent from the CRM", "外出打卡定位不准",
    "Absence management report is empty", "Out of office settings missing in profile",
    "自动回复功能怎么设置",
])
def test_customers_writing_about_the_feature_are_new_requests(subject: str) -> None:
    msg = parse(mail(subject=subject, body="请帮忙看看 / please help."), "zh", 1 << 20)
    assert kind_of(msg, "support@example.com")[0] == "new"
