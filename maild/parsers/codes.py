"""Error codes in one line of text, and nothing that only looks like one.

Place: fact extraction (extract.py calls `error_codes` per line). Input: a line. Output: the
codes in the order found: application codes (ERR_EXPORT_100, E-4031), labelled codes
("错误码: 1002", "エラーコード：E-4031", "error code 0x1F"), HTTP status with context
("HTTP 500", "502 Bad Gateway", "报错500"), HRESULT / NTSTATUS / stop codes (0x80070005,
CRITICAL_PROCESS_DIED), ORA-/TNS-/SQLSTATE/MySQL/SQL Server errors, errno names and numbers,
exception classes of Java, Python and .NET, Kubernetes states.

Never an error code: order, invoice, tracking or ticket numbers, phone numbers, dates,
prices, versions — a bare number is a code only when the writer labels it as one. Pure.
"""

from __future__ import annotations

import re

_LABELLED = re.compile(
    r"(?:错误码|错误代码|錯誤碼|錯誤代碼|错误编号|错误号|故障码|报错码|エラーコード|エラー番号|"
    r"error[\s_-]*code|err[\s_-]*code|error[\s_-]*no\.?|error[\s_-]*number|error[\s_-]*id|"
    r"result[\s_-]*code|stop[\s_-]*code|exit[\s_-]*code|status[\s_-]*code)"
    r"\s*(?:is|was|为|是)?\s*[:：=#]?\s*[\"'“「『(（\[]?"
    r"((?:0x)?[A-Za-z0-9][\w.\-]{0,40}[A-Za-z0-9]|\d)",
    re.IGNORECASE | re.ASCII,
)
DIGIT = ("0", "1", "2", "3", "4", "5", "6", "7", "8", "9")
# each pattern with the substrings one of which a line must hold for it to be worth trying:
# most lines hold no code, and a substring test costs far less than a regex search
_PATTERNS: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = tuple(
    (re.compile(p, f | re.ASCII), re.compile("|".join(map(re.escape, hints))))
    for p, f, hints in (
        # app codes with underscores: ERR_EXPORT_100, CRITICAL_PROCESS_DIED, ERR_CONNECTION_RESET
        (r"(?<![\w.$/-])((?:[A-Z][A-Z0-9]*_)+[A-Z0-9]+)(?![\w-])", 0, ("_",)),
        # vendor prefixes: ORA-00942, TNS-12541, E-4031, ERR-2001, MSB3073, CS0246, LNK2019
        (
            r"(?<![\w-])((?:ORA|PLS|TNS|IMP|EXP|SP2|ERR|ERROR|E|MSB|NU|NETSDK|NG|DB2|SQL|"
            r"AADSTS|ERRCODE|ERR_CODE|EC|BEA|WLS|CRS|RMAN|ODBC|JDBC|CODE)-?\d{3,6})(?![\w-])",
            0,
            DIGIT,
        ),
        (r"(?<![\w-])((?:CS|LNK|C|TS)\d{4})(?![\w-])", 0, DIGIT),
        (r"(?<![\w-])(AADSTS\d{5,6})(?!\w)", 0, ("AADSTS",)),
        # HRESULT / NTSTATUS / stop codes: 0x80070005, 0xC0000005, 0x0000007B
        (r"(?<![\w])(0x[0-9A-Fa-f]{8})(?![\w])", 0, ("0x", "0X")),
        # SQLSTATE[23000], SQLSTATE 42P01
        (r"\b(SQLSTATE\s*[\[:=]?\s*[0-9A-Z]{5}\]?)", 0, ("SQLSTATE",)),
        # MySQL: ERROR 1045 (28000)
        (r"\b(ERROR\s+\d{4}\s+\(\w{5}\))", 0, ("ERROR",)),
        # SQL Server: Msg 208, Level 16
        (r"\b(Msg\s+\d{3,6}),\s*Level\s+\d+", 0, ("Msg",)),
        # errno names (POSIX and Winsock)
        (
            r"(?<![\w])((?:WSA)?E(?:CONNREFUSED|CONNRESET|CONNABORTED|TIMEDOUT|NOENT|ACCES|PERM|"
            r"ADDRINUSE|HOSTUNREACH|NETUNREACH|PIPE|NOTFOUND|MFILE|NOSPC|AI_AGAIN|NOMEM|ROFS|"
            r"DQUOT|BUSY|EXIST|NOTDIR|ISDIR|INVAL|AGAIN|PROTO|CERT_HAS_EXPIRED))(?![\w])",
            0,
            ("E",),
        ),
        # exception classes: NullPointerException, System.IO.IOException, ValueError
        (
            r"(?<![\w$.])((?:[A-Za-z_]\w*\.){0,8}[A-Z][A-Za-z0-9]*"
            r"(?:Exception|Error|Fault|Failure|Panic))(?![\w])",
            0,
            ("Exception", "Error", "Fault", "Failure", "Panic"),
        ),
        # Kubernetes and container states
        (
            r"(?<![\w])(CrashLoopBackOff|ImagePullBackOff|ErrImagePull|ErrImageNeverPull|OOMKilled|"
            r"CreateContainerConfigError|CreateContainerError|InvalidImageName|Evicted|"
            r"ContainerCannotRun|DeadlineExceeded|FailedScheduling|FailedMount)(?![\w])",
            0,
            ("BackOff", "Err", "OOM", "Evicted", "Create", "Invalid", "Container", "Deadline",
             "Failed"),
        ),
    )
)
_LABEL_HINTS = re.compile(
    r"错误|錯誤|码|碼|エラー|err|code|故障|status|exit|result", re.IGNORECASE
)
_DIGIT = re.compile(r"\d", re.ASCII)
_ERRNO = re.compile(r"\[?\berrno\s*[:=]?\s*(-?\d{1,4})\b\]?", re.I | re.A)
# HTTP status codes only with context: "Error 500", "HTTP 502", "500 Internal Server Error"
_HTTP = re.compile(
    r"(?:\bhttp(?:/\d(?:\.\d)?)?\s*(?:status|error|code)?|\berror|\bstatus(?:\s*code)?|"
    r"\bresponse(?:\s*code)?|\breturned|状态码|返回码|报错|錯誤|错误)\s*[:：]?\s*([45]\d\d)(?!\d|\.\d)"
    r"|(?<![\d.])([45]\d\d)\s*(?:-\s*)?(?:internal server error|bad gateway|service unavailable|"
    r"gateway time-?out|not found|forbidden|unauthori[sz]ed|bad request|too many requests|"
    r"request timeout|payload too large|method not allowed|conflict|错误|錯誤)",
    re.IGNORECASE | re.ASCII,
)
_DATA_CONTEXT = re.compile(
    r"(?:订单|發票|发票|合同|快递|运单|物流|工单|客户|会员|手机|电话|价格|金额|流水|"
    r"\border|\binvoice|\btracking|\bticket|\bcase|\bpo|\bsku|\bserial|\bcontract|\bshipment|"
    r"\bparcel|\baccount|\bphone|\btel|\bprice|\bamount|\bcustomer|\bref(?:erence)?)"
    r"\s*(?:号码|號碼|单号|單號|编号|編號|号|號|no\.?|nr\.?|number|num|id|#)?\s*[:：#=]?\s*$",
    re.IGNORECASE | re.ASCII,
)
_NOT_CODES = frozenset(
    {
        "Error",
        "Exception",
        "Fault",
        "Failure",
        "Panic",
        "HTTP_REFERER",
        "UTF_8",
        "ISO_8859_1",
        "TODO",
        "N_A",
        "MAX_PATH",
        "HKEY_LOCAL_MACHINE",
        "HKEY_CURRENT_USER",
        "JAVA_HOME",
        "PATH_INFO",
        "QUERY_STRING",
    }
)
_DATA_LIKE = re.compile(
    r"(?:19|20)\d\d[-_/.]\d\d?[-_/.]\d\d?|[A-Z]{2,4}[-_]?\d{8,}|\d+[.,]\d\d|"
    r"(?:INV|PO|SO|ORD|ORDER|SKU|SN|TRK|REF|CASE|TICKET|DOC|CNY|RMB|USD|EUR)[-_]?\d.*",
    re.IGNORECASE | re.ASCII,
)


def error_codes(line: str) -> list[str]:
    found: dict[str, int] = {}  # code -> where in the line, to report them in reading order
    digit = _DIGIT.search(line) is not None
    if _LABEL_HINTS.search(line):
        for m in _LABELLED.finditer(line):
            code = m.group(1).rstrip(".-")
            if _accept(code, line, m.start(1), labelled=True):
                found.setdefault(code, m.start(1))
    for pattern, hints in _PATTERNS:
        if not hints.search(line):
            continue
        for m in pattern.finditer(line):
            code = m.group(1)
            if _accept(code, line, m.start(1), labelled=False):
                found.setdefault(re.sub(r"\s+", " ", code), m.start(1))
    if "errno" in line or "Errno" in line:
        for m in _ERRNO.finditer(line):
            found.setdefault(f"errno {m.group(1)}", m.start())
    if not digit:
        return _longest(found)
    for m in _HTTP.finditer(line):
        code = m.group(1) or m.group(2)
        found.pop(code, None)  # "status code 500" is the HTTP status, not a bare code
        found.setdefault(f"HTTP {code}", m.start())
    return _longest(found)


def _longest(found: dict[str, int]) -> list[str]:
    """In reading order; of "java.lang.NullPointerException" and "NullPointerException" the
    longest only."""
    codes = sorted(found, key=lambda c: found[c])
    return [c for c in codes if not any(o != c and o.endswith("." + c) for o in codes)]


def _accept(code: str, line: str, start: int, labelled: bool) -> bool:
    if not code or code in _NOT_CODES or len(code) > 60:
        return False
    if _DATA_CONTEXT.search(line[max(0, start - 30) : start]):
        return False  # "订单号 ORD_2026_001", "invoice INV-2026-0042"
    if _DATA_LIKE.fullmatch(code):
        return False
    digits = sum(c.isdigit() for c in code)
    if digits > 12:
        return False
    if labelled:
        # "error code is missing": a labelled code still needs a digit or an upper-case shape
        return digits > 0 or (code.isupper() and len(code) > 2) or "_" in code
    return not code.isdigit()
