"""The engineer's facts, pulled from subject, body lines and text attachments.

Input: (source name, text) pairs. Output: `Fact`s with kind, value and where each was found
("subject", "body:3", "app.log:120"). Kinds: error_code, os, browser, app_version, device,
phone. Order numbers, dates, prices and phone numbers are not error codes. Pure: no I/O;
bounded by MAX_SCAN characters per source.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from maild.message import Fact

MAX_SCAN = 1_000_000

_ERROR_PATTERNS: tuple[tuple[re.Pattern[str], int], ...] = tuple(
    (re.compile(p, f), g)
    for p, f, g in (
        # labelled codes in zh / ja / en: 错误码: X, エラーコード：X, error code X
        (
            r"(?:错误码|错误代码|錯誤碼|錯誤代碼|错误编号|エラーコード|error\s*code|err\s*code)"
            r"\s*[:：=#]?\s*[\"'“「]?([A-Za-z0-9][\w.\-]{1,40}[A-Za-z0-9])",
            re.IGNORECASE,
            1,
        ),
        # app codes with underscores: ERR_EXPORT_100, CRITICAL_PROCESS_DIED
        (r"(?<![\w.])((?:[A-Z][A-Z0-9]*_)+[A-Z0-9]+)(?![\w])", 0, 1),
        # vendor prefixes: ORA-00942, PLS-00201, TNS-12541, E-4031, ERR-2001, AADSTS50126
        (
            r"(?<![\w-])((?:ORA|PLS|TNS|IMP|EXP|ERR|E|MSB|CS|LNK|C|KB|SP|NG|ERROR)-\d{3,6})(?![\w-])",
            0,
            1,
        ),
        (r"(?<![\w])(AADSTS\d{5,6})(?!\w)", 0, 1),
        # HRESULT / stop codes: 0x80070005, 0x0000007B
        (r"(?<![\w])(0x[0-9A-Fa-f]{8})(?![\w])", 0, 1),
        # SQLSTATE[23000], SQLSTATE 42P01
        (r"(SQLSTATE\s*\[?[0-9A-Z]{5}\]?)", 0, 1),
        # MySQL: ERROR 1045 (28000)
        (r"\b(ERROR\s+\d{4}\s+\(\w{5}\))", 0, 1),
        # errno names
        (
            r"(?<![\w])(E(?:CONNREFUSED|CONNRESET|TIMEDOUT|NOENT|ACCES|PERM|ADDRINUSE|HOSTUNREACH|"
            r"PIPE|NOTFOUND|MFILE|NOSPC))(?![\w])",
            0,
            1,
        ),
        # exception class names: NullPointerException, System.IO.IOException, ValueError
        (r"(?<![\w])((?:[a-z][\w]*\.)*[A-Z][A-Za-z0-9]*(?:Exception|Error|Fault))(?![\w])", 0, 1),
        # Kubernetes states
        (
            r"(?<![\w])(CrashLoopBackOff|ImagePullBackOff|ErrImagePull|OOMKilled|"
            r"CreateContainerConfigError|Evicted)(?![\w])",
            0,
            1,
        ),
    )
)
# HTTP status codes only with context: "Error 500", "HTTP 502", "500 Internal Server Error"
_HTTP = re.compile(
    r"(?:(?:http(?:/\d(?:\.\d)?)?|error|status(?:\s*code)?|状态码|返回码|报错)\s*[:：]?\s*([45]\d\d)\b"
    r"|\b([45]\d\d)\s+(?:internal server error|bad gateway|service unavailable|gateway timeout|"
    r"not found|forbidden|unauthorized|bad request|too many requests|错误))",
    re.IGNORECASE,
)
_NOT_CODES = frozenset(
    {
        "Error",
        "Exception",
        "Fault",
        "HTTP_REFERER",
        "UTF_8",
        "ISO_8859_1",
        "TODO",
        "N_A",
    }
)
_OS = re.compile(
    r"\b(Windows\s*(?:Server\s*)?(?:XP|Vista|7|8\.1|8|10|11|20\d\d(?:\s*R2)?)(?:\s+\d\d[Hh]\d)?"
    r"(?:\s*(?:专业版|家庭版|企业版|Pro|Home|Enterprise))?"
    r"|mac\s?OS(?:\s*X)?\s*(?:\d+(?:[._]\d+)*|Ventura|Sonoma|Sequoia|Monterey|Big Sur|Tahoe)"
    r"|Mac OS X \d+[._]\d+(?:[._]\d+)?|iOS\s*\d+(?:\.\d+)*|iPadOS\s*\d+(?:\.\d+)*"
    r"|Android\s*\d+(?:\.\d+)*|HarmonyOS\s*\d+(?:\.\d+)*|鸿蒙\s*\d+(?:\.\d+)*"
    r"|Ubuntu\s*\d+\.\d+(?:\.\d+)?(?:\s*LTS)?|CentOS\s*(?:Stream\s*)?\d+(?:\.\d+)*|Debian\s*\d+"
    r"|(?:RHEL|Red Hat Enterprise Linux)\s*\d+(?:\.\d+)*|Rocky Linux\s*\d+(?:\.\d+)*"
    r"|统信\s*UOS\s*\w*|麒麟\s*(?:V\d+)?|Kylin\s*(?:V\d+)?|openEuler\s*\d+(?:\.\d+)*)",
    re.IGNORECASE,
)
_BROWSER = re.compile(
    r"\b((?:Google\s+)?Chrome|Firefox|Safari|Edge|Edg|Opera|OPR|MSIE|IE|Internet Explorer|"
    r"360(?:安全|极速)?浏览器|QQ浏览器|搜狗浏览器|UC浏览器)"
    r"(?:\s*(?:浏览器|browser))?\s*[/ ]?\s*v?(\d+(?:\.\d+){0,3})",
    re.IGNORECASE,
)
_APP_VERSION = re.compile(
    r"(?:app\s*version|version|ver\.?|版本号?|客户端版本|软件版本|系统版本)\s*[:：]?\s*v?(\d+(?:\.\d+){1,3}"
    r"(?:[-.]?(?:beta|rc|build)\s*\d*)?)|\bv(\d+\.\d+(?:\.\d+){0,2})\b",
    re.IGNORECASE,
)
_DEVICE = re.compile(
    r"\b(iPhone\s*(?:\d+|SE|X[SR]?)(?:\s*(?:Pro\s*Max|Pro|Plus|Max|mini))?|iPad(?:\s*(?:Pro|Air|mini))?"
    r"|(?:Huawei|华为)\s*(?:Mate|P|nova)\s*\d+(?:\s*Pro)?|(?:Xiaomi|小米|Redmi|红米)\s*\w*\s*\d+\w*"
    r"|(?:Samsung\s*)?Galaxy\s*[A-Z]\d+\w*|Pixel\s*\d+\w*|OPPO\s*\w+\s*\d*|vivo\s*X\d+\w*"
    r"|ThinkPad\s*\w+\d+\w*|MacBook\s*(?:Pro|Air)?(?:\s*M\d)?)",
    re.IGNORECASE,
)
_PHONE = re.compile(r"(?<!\d)(1[3-9]\d{9}|\+?86[- ]?1[3-9]\d{9}|0\d{2,3}-\d{7,8})(?!\d)")


def extract(sources: Iterable[tuple[str, str]]) -> tuple[Fact, ...]:
    facts: dict[tuple[str, str], Fact] = {}
    for name, text in sources:
        for lineno, line in enumerate(text[:MAX_SCAN].splitlines(), 1):
            where = name if name == "subject" else f"{name}:{lineno}"
            for fact in _line_facts(line, where):
                facts.setdefault((fact.kind, fact.value.lower()), fact)
    return tuple(facts.values())


def _line_facts(line: str, where: str) -> Iterable[Fact]:
    if not line.strip() or len(line) > 5000:
        return
    for code in error_codes(line):
        yield Fact("error_code", code, where)
    if m := _OS.search(line):
        yield Fact("os", _tidy(m.group(1)), where)
    for m in _BROWSER.finditer(line):
        name = {"edg": "Edge", "opr": "Opera", "msie": "IE"}.get(m.group(1).lower(), m.group(1))
        if m.group(1).lower() == "safari" and "chrome" in line.lower():
            continue  # every Chrome user agent also says Safari
        yield Fact("browser", f"{_tidy(name)} {m.group(2)}", where)
        break
    if m := _APP_VERSION.search(line):
        version = m.group(1) or m.group(2)
        if not _BROWSER.search(line[max(0, m.start() - 20) : m.end()]):
            yield Fact("app_version", version, where)
    if m := _DEVICE.search(line):
        yield Fact("device", _tidy(m.group(1)), where)
    for m in _PHONE.finditer(line):
        yield Fact("phone", m.group(1), where)


def error_codes(line: str) -> list[str]:
    found: dict[str, None] = {}
    for i, (pattern, group) in enumerate(_ERROR_PATTERNS):
        for m in pattern.finditer(line):
            code = m.group(group)
            labelled = i == 0  # "错误码: 1002": a number is a code when the customer says so
            if code and code not in _NOT_CODES and not _looks_like_data(code, labelled):
                found.setdefault(code, None)
    for m in _HTTP.finditer(line):
        found.setdefault(f"HTTP {m.group(1) or m.group(2)}", None)
    # "java.lang.NullPointerException" and "NullPointerException": keep the longest
    codes = list(found)
    return [c for c in codes if not any(o != c and o.endswith("." + c) for o in codes)]


def _looks_like_data(code: str, labelled: bool) -> bool:
    digits = re.sub(r"\D", "", code)
    if code.isdigit() and not labelled:
        return True  # a bare number is an order id, a price or a date
    return bool(re.fullmatch(r"(?:19|20)\d\d[-_]\d\d[-_]\d\d", code)) or len(digits) > 12


def _tidy(value: str) -> str:
    return re.sub(r"\s+", " ", value.replace("_", ".")).strip()
