"""Reply splitting: new text apart from quoted history and signature, per client shape.

Given a body as each client writes it, when it is split, then the new text is exactly what
the person wrote now and the history is kept in `quoted`, never thrown away.
"""

from __future__ import annotations

import pytest

from maild.parsers.html import CUT, to_text
from maild.parsers.quotes import split

CASES = {
    "gmail": (
        "Thanks, it works now.\n\nOn Mon, Nov 23, 2026 at 10:00 AM Support <support@example.com>"
        " wrote:\n\n> Please clear the cache.\n>\n> Regards\n",
        "Thanks, it works now.",
        "Please clear the cache.",
    ),
    "gmail wrapped before the address": (
        "Still failing.\n\nOn Mon, Nov 23, 2026 at 10:00 AM Example Support Team <\n"
        "support@example.com> wrote:\n\n> Please clear the cache.\n",
        "Still failing.",
        "Please clear the cache.",
    ),
    "gmail wrapped at the address": (
        "Still failing.\n\nOn Mon, Nov 23, 2026 at 10:00 AM Example Support Team\n"
        "<support@example.com> wrote:\n> Please clear the cache.\n",
        "Still failing.",
        "Please clear the cache.",
    ),
    "outlook english": (
        "Still broken.\n\nBest regards\nDana\n\n________________________________\n"
        "From: Support <support@example.com>\nSent: Monday, November 23, 2026 10:00 AM\n"
        "To: Dana Smith <dana@x.com>\nSubject: RE: [#12] Login\n\nPlease try again.\n",
        "Still broken.\n\nBest regards\nDana",
        "Please try again.",
    ),
    "outlook chinese": (
        "还是不行。\n\n发件人: Support <support@example.com>\n发送时间: 2026年11月23日 10:00\n"
        "收件人: 张三\n主题: 答复: [#12] 导出失败\n\n请清除缓存后重试。\n",
        "还是不行。",
        "请清除缓存后重试。",
    ),
    "outlook traditional chinese": (
        "已處理\n\n寄件者: Support\n寄件日期: 2026年11月23日 上午 10:00\n收件者: 陳小姐\n"
        "主旨: 回覆: 問題\n\nold\n",
        "已處理",
        "寄件者: Support",
    ),
    "outlook bold headers via gmail": (
        "Not yet.\n\n*From:* Support <support@example.com>\n*Sent:* Monday, November 23, 2026\n"
        "*To:* Dana\n*Subject:* RE: x\n\nold\n",
        "Not yet.",
        "*From:* Support",
    ),
    "outlook flattened on one line": (
        "ok thanks\nFrom: Support Sent: Monday, November 23, 2026 10:00 AM To: Dana Subject: RE: x"
        "\nold text\n",
        "ok thanks",
        "old text",
    ),
    "original message": (
        "Done.\n-----Original Message-----\nFrom: Support\nSent: Monday\nTo: me\n"
        "Subject: x\n\nold\n",
        "Done.",
        "-----Original Message-----",
    ),
    "原始邮件": (
        "已经解决了，谢谢！\n\n-----原始邮件-----\n发件人: support@example.com\n"
        "发送时间: 2026-11-23\n"
        "收件人: x@y\n主题: 旧邮件\n旧的内容\n",
        "已经解决了，谢谢！",
        "旧的内容",
    ),
    "qq mail with no-break spaces": (
        "好的，明白了\n\n\n------------------\u00a0原始邮件\u00a0------------------\n"
        '发件人: "Support"<support@example.com>;\n发送时间: 2026年11月23日(星期一) 上午10:00\n'
        '收件人: "张三"<zhang@qq.com>;\n主题: 回复：导出失败\n\n请重试\n',
        "好的，明白了",
        "请重试",
    ),
    "foxmail": (
        '收到\n\n\n------------------ Original ------------------\nFrom:  "Support"<s@example.com>;'
        '\nDate:  Mon, Nov 23, 2026 10:00 AM\nTo:  "张三"<zhang@qq.com>;\nSubject:  Re: 导出失败'
        "\n\nold\n",
        "收到",
        "old",
    ),
    "netease 163": (
        '附件是日志。\n\n在 2026-11-23 10:00:00，"Support" <support@example.com> 写道：\n'
        "> 请提供日志\n",
        "附件是日志。",
        "请提供日志",
    ),
    "netease mail master": (
        "收到\n\n---- 回复的原邮件 ----\n| 发件人 | Support<support@example.com> |\n"
        "| 日期 | 2026年11月23日 10:00 |\n",
        "收到",
        "回复的原邮件",
    ),
    "gmail chinese": (
        "好的\n\nSupport <support@example.com> 于2026年11月23日周一 10:00写道：\n\n> 请提供日志\n",
        "好的",
        "请提供日志",
    ),
    "apple mail iphone": (
        "Yes, the log is attached.\n\nSent from my iPhone\n\n> On 23 Nov 2026, at 10:00, Support"
        " <support@example.com> wrote:\n>\n> Could you send the log?\n",
        "Yes, the log is attached.",
        "Could you send the log?",
    ),
    "apple mail chinese": (
        "好的\n\n发自我的iPhone\n\n> 2026年11月23日 13:10，Support <s@example.com> 写道：\n"
        ">\n> 请问\n",
        "好的",
        "发自我的iPhone",
    ),
    "thunderbird": (
        "Here it is.\n\nOn 11/23/26 10:00 AM, Support wrote:\n> Could you send the log?\n",
        "Here it is.",
        "Could you send the log?",
    ),
    "german thunderbird": (
        "Danke.\n\nAm 23.11.2026 um 10:00 schrieb Support <support@example.com>:\n> Bitte neu.\n",
        "Danke.",
        "Bitte neu.",
    ),
    "signature": ("It works.\n\n-- \nDana Smith\nACME Corp\n", "It works.", "Dana Smith"),
    "mobile footer before a qq quote": (
        "好的\n\n发自我的iPhone\n\n------------------ 原始邮件 ------------------\n"
        "发件人: Support\n",
        "好的",
        "原始邮件",
    ),
    "mailing list footer": (
        "Hi all, how do I rotate keys?\n\n_______________________________________________\n"
        "users mailing list\nusers@lists.example.org\n",
        "Hi all, how do I rotate keys?",
        "users mailing list",
    ),
    "helpdesk reply marker": (
        "Thanks, done.\n\n##- Please type your reply above this line -##\n\nRequest updated.\n",
        "Thanks, done.",
        "Request updated.",
    ),
    "zoho dashes around the attribution": (
        "ok\n\n---- On Mon, 23 Nov 2026 10:00:00 +0800 Support <s@x.com> wrote ----\n\nold\n",
        "ok",
        "old",
    ),
    "dutch apple mail": (
        "Dank je.\n\nOp 23 nov. 2026 om 10:00 heeft Support <s@x.com> het volgende geschreven:\n"
        "\n> oud\n",
        "Dank je.",
        "> oud",
    ),
    "attribution over three lines": (
        "I see it too.\n\nOn Dec 16, 2026, at 12:47 PM, Corey Example\n<reply@example.com>\n"
        "wrote:\n\n> Was this fixed?\n",
        "I see it too.",
        "Was this fixed?",
    ),
    "sentence starting with sent from my": (
        "Sent from my desk, which is easier than my phone.\n\nOn Nov 23, 2026 Support wrote:\n"
        "> hi\n",
        "Sent from my desk, which is easier than my phone.",
        "> hi",
    ),
    "sentence starting with on": (
        "On your remote host you can run:\n\n     telnet 127.0.0.1 52698\n\nThat should work."
        "\n\nOn 9 Jan 2026, at 2:47, George wrote:\n\n> old\n",
        "On your remote host you can run:\n\n     telnet 127.0.0.1 52698\n\nThat should work.",
        "> old",
    ),
    "nothing new": ("On Mon, Nov 23, 2026 Support wrote:\n> hi\n", "", "> hi"),
    "only a mobile footer": (
        "Sent from my iPhone\n\nOn Nov 23, 2026, at 14:00, Support <s@example.com> wrote:\n"
        "\n> ok?\n",
        "",
        "> ok?",
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_client_shapes(name: str) -> None:
    body, new, in_quote = CASES[name]
    result = split(body)
    assert result.new == new
    assert in_quote in result.quoted
    assert not result.forward


def test_inline_answers_stay_with_their_questions() -> None:
    body = (
        "On Mon, Nov 23, 2026 at 01:30:00PM +0800, Support wrote:\n> Which version?\n\n3.4.2\n\n"
        "> Which browser?\n\nChrome 120\n\n-- \nSven\n"
    )
    result = split(body)
    assert "> Which version?\n\n3.4.2" in result.new
    assert result.new.endswith("Chrome 120")
    assert result.quoted == "-- \nSven"


@pytest.mark.parametrize(
    "body",
    [
        "---------- Forwarded message ---------\nFrom: Monitor <a@x.com>\nDate: Mon\n"
        "Subject: ORA-00942\nTo: me\n\nJob failed with ORA-00942\n",
        "Begin forwarded message:\n\nFrom: Monitor <a@x.com>\nSubject: failure\nDate: 23 Nov\n"
        "To: me\n\nJob failed\n",
    ],
)
def test_forward_is_marked_as_forward(body: str) -> None:
    result = split(body)
    assert result.new == ""
    assert result.forward
    assert "Job failed" in result.quoted


def test_outlook_forward_known_by_subject() -> None:
    body = (
        "see below\n\n________________________________\nFrom: A <a@x.com>\nSent: Monday\nTo: me\n"
        "Subject: alert\n\nDisk full\n"
    )
    assert split(body, forwarded_subject=True).forward
    assert not split(body, forwarded_subject=False).forward


@pytest.mark.parametrize(
    "body",
    [
        "On Monday the export failed again.\nThe error was ERR_EXPORT_100.\n",
        "Step 1\n--\nStep 2 follows here.\n" + "more text\n" * 20,
        "From: the logs I see this.\nNothing else.\n",
        "Here is my answer: yes.\n",
    ],
)
def test_plain_text_is_not_mistaken_for_history(body: str) -> None:
    result = split(body)
    assert result.new == body.strip()
    assert result.quoted == ""


def test_html_gmail_reply_is_split_at_its_container() -> None:
    html = (
        '<div dir="ltr">Thanks, fixed.</div><div class="gmail_quote"><div class="gmail_attr">'
        "On Mon, Nov 23, 2026 Support &lt;s@example.com&gt; wrote:</div>"
        '<blockquote class="gmail_quote">Try again.<blockquote>older</blockquote>'
        "</blockquote></div>"
    )
    text = to_text(html, [])
    assert CUT in text
    result = split(text)
    assert result.new == "Thanks, fixed."
    assert "> Try again." in result.quoted
    assert "> > older" in result.quoted
    assert CUT not in result.quoted


def test_html_outlook_reply() -> None:
    html = (
        "<p>Still broken.</p><div id=\"divRplyFwdMsg\"><b>From:</b> Support<br><b>Sent:</b> Monday"
        "<br><b>To:</b> me<br><b>Subject:</b> RE: x</div><p>old text</p>"
    )
    result = split(to_text(html, []))
    assert result.new == "Still broken."
    assert "old text" in result.quoted


def test_huge_body_is_split_without_scanning_it_all() -> None:
    body = "new words\n\n-----Original Message-----\n" + "old line\n" * 50_000
    result = split(body)
    assert result.new == "new words"
    assert result.quoted.count("old line") == 50_000


def test_html_signature_container_goes_to_quoted() -> None:
    html = (
        '<div dir="ltr">Works now.<br clear="all"><div><br></div>-- <br>'
        '<div class="gmail_signature">Dana Smith<br>IT Operations</div></div>'
    )
    result = split(to_text(html, []))
    assert result.new == "Works now."
    assert "IT Operations" in result.quoted


def test_bottom_posted_answer_below_one_quote() -> None:
    body = "On 04/19/2026 07:10 AM, Support wrote:\n\n>\n> Which version?\n\n3.4.2 on Debian 12.\n"
    result = split(body)
    assert result.new == "3.4.2 on Debian 12."
    assert "Which version?" in result.quoted


def test_quote_wrapped_by_reply_and_sign_off() -> None:
    body = "Test reply\n\nOn 04/19/2026 07:10 AM, Support wrote:\n\n>\n> Test\n\nRegards, Roman\n"
    result = split(body)
    assert result.new == "Test reply\n\nRegards, Roman"
    assert "> Test" in result.quoted


def test_customer_quoting_an_error_on_screen_keeps_it() -> None:
    body = "The app shows:\n> Error: ERR_EXPORT_100\nPlease help.\n"
    assert split(body).new == body.strip()
