"""The customer's environment in one line: OS, browser, app version, device.

Place: fact extraction (extract.py calls `facts` per line). Input: a line. Output: (kind,
value) pairs with kinds os, browser, app_version, device. User-agent strings are read the way
browsers write them ("Windows NT 10.0" is Windows 10, "Edg/120" is Edge, Safari's version is
in "Version/17.1"); prose is read in English and Chinese ("Win10", "Windows 11 专业版 23H2",
"macOS Sonoma 14.2", "客户端版本：5.2.1", "设备型号：…"). Pure.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_UA = re.compile(
    r"Mozilla/\d\.\d \(|AppleWebKit/|Gecko/|Chrome/\d|Safari/\d|MicroMessenger/", re.ASCII
)
_UA_OS = (
    (re.compile(r"Windows NT 10\.0", re.ASCII), "Windows 10"),
    (re.compile(r"Windows NT 6\.3", re.ASCII), "Windows 8.1"),
    (re.compile(r"Windows NT 6\.2", re.ASCII), "Windows 8"),
    (re.compile(r"Windows NT 6\.1", re.ASCII), "Windows 7"),
    (re.compile(r"Windows NT 5\.1", re.ASCII), "Windows XP"),
)
_UA_OS_VERSIONED = (
    (re.compile(r"(?:iPhone|CPU) OS (\d+(?:_\d+)*)", re.ASCII), "iOS"),
    (re.compile(r"iPad.*? OS (\d+(?:_\d+)*)", re.ASCII), "iPadOS"),
    (re.compile(r"Mac OS X (\d+(?:[._]\d+)*)", re.ASCII), "macOS"),
    (re.compile(r"Android (\d+(?:\.\d+)*)", re.ASCII), "Android"),
    (re.compile(r"HarmonyOS;? ?(\d+(?:\.\d+)*)", re.ASCII), "HarmonyOS"),
    (re.compile(r"CrOS \w+ (\d+(?:\.\d+)*)", re.ASCII), "ChromeOS"),
)
_UA_ANDROID_DEVICE = re.compile(
    r"Android [\d.]+; (?:[a-z]{2}-[a-z]{2}; )?([^;)]{2,40}?)(?: Build/[^;)]*)?\)"
)
_UA_BROWSERS = (
    (re.compile(r"MicroMessenger/(\d+(?:\.\d+)*)", re.ASCII), "WeChat"),
    (re.compile(r"\bEdg(?:e|A|iOS)?/(\d+(?:\.\d+)*)", re.ASCII), "Edge"),
    (re.compile(r"\b(?:OPR|Opera)/(\d+(?:\.\d+)*)", re.ASCII), "Opera"),
    (re.compile(r"\bQQBrowser/(\d+(?:\.\d+)*)", re.ASCII), "QQ Browser"),
    (re.compile(r"\bUCBrowser/(\d+(?:\.\d+)*)", re.ASCII), "UC Browser"),
    (re.compile(r"\bSamsungBrowser/(\d+(?:\.\d+)*)", re.ASCII), "Samsung Internet"),
    (re.compile(r"\bYaBrowser/(\d+(?:\.\d+)*)", re.ASCII), "Yandex"),
    (re.compile(r"\bFirefox/(\d+(?:\.\d+)*)", re.ASCII), "Firefox"),
    (re.compile(r"\bFxiOS/(\d+(?:\.\d+)*)", re.ASCII), "Firefox"),
    (re.compile(r"\b(?:Chrome|CriOS)/(\d+(?:\.\d+)*)", re.ASCII), "Chrome"),
    (re.compile(r"\bVersion/(\d+(?:\.\d+)*).*Safari/", re.ASCII), "Safari"),
    (re.compile(r"\bMSIE (\d+(?:\.\d+)*)", re.ASCII), "IE"),
    (re.compile(r"Trident/.*rv:(\d+(?:\.\d+)*)", re.ASCII), "IE"),
)
_OS = re.compile(
    r"(?<![\w])(Windows\s*(?:Server\s*)?(?:XP|Vista|7|8\.1|8|10|11|20[0-2]\d(?:\s*R2)?)"
    r"(?:\s*(?:专业版|家庭版|企业版|教育版|旗舰版|Pro(?:fessional)?|Home|Enterprise|Education|LTSC))?"
    r"(?:\s*(?:版本|version)?\s*(?:2[0-9][Hh][12]|1[5-9]0\d|2004|\(?build \d{5}(?:\.\d+)?\)?))?"
    r"|Win\s?(?:7|8|10|11|XP)(?![\w.])"
    r"|mac\s?OS(?:\s*X)?\s*(?:(?:Ventura|Sonoma|Sequoia|Monterey|Big Sur|Catalina|Tahoe)\s*)?"
    r"(?:\d+(?:[._]\d+)*)?(?<=\w)"
    r"|OS X \d+[._]\d+(?:[._]\d+)?"
    r"|iOS\s*\d+(?:\.\d+)*|iPadOS\s*\d+(?:\.\d+)*|Android\s*\d+(?:\.\d+)*"
    r"|HarmonyOS\s*\d+(?:\.\d+)*|鸿蒙(?:系统)?\s*\d+(?:\.\d+)*"
    r"|Ubuntu\s*\d+\.\d+(?:\.\d+)?(?:\s*LTS)?|CentOS\s*(?:Stream\s*)?\d+(?:\.\d+)*"
    r"|Debian\s*\d+(?:\.\d+)?|(?:RHEL|Red Hat Enterprise Linux)\s*\d+(?:\.\d+)*"
    r"|Rocky\s*Linux\s*\d+(?:\.\d+)*|AlmaLinux\s*\d+(?:\.\d+)*|openEuler\s*\d+(?:\.\d+)*"
    r"|SUSE Linux Enterprise\s*(?:Server\s*)?\d+(?:\s*SP\d)?|Fedora\s*\d+"
    r"|统信\s*UOS\s*(?:V?\d+(?:\.\d+)*)?|UOS\s*V?\d+|(?:银河)?麒麟\s*(?:V\d+)?|Kylin\s*(?:V\d+)?"
    r"|ChromeOS\s*\d*)",
    re.IGNORECASE | re.ASCII,
)
_BROWSER = re.compile(
    r"(?<![\w])((?:Google\s+)?Chrome|Firefox|Safari|(?:Microsoft\s+)?Edge|Opera|Internet Explorer|"
    r"IE|360(?:安全|极速)?浏览器|QQ浏览器|搜狗浏览器|UC浏览器|微信|WeChat)"
    r"(?:\s*(?:浏览器|browser))?\s*(?:版本|version)?\s*[/ :：]?\s*v?(\d+(?:\.\d+){0,3})(?![\d.]*%)",
    re.IGNORECASE | re.ASCII,
)
_APP_VERSION = re.compile(
    r"(?:app(?:lication)?\s*version|client\s*version|product\s*version|software\s*version|"
    r"build|version|ver\.?|版本号?|客户端版本|软件版本|系统版本|产品版本|程序版本|应用版本|"
    r"バージョン|верси[яиюей])\s*(?:is|为|是)?\s*[:：=]?\s*v?(\d+(?:\.\d+){1,3}(?:[-.+]?(?:beta|rc|build|"
    r"sp|patch|hotfix)[\s.]*\d*)?)"
    r"|(?<![\w.])v(\d+\.\d+(?:\.\d+){0,2})(?![\w.])",
    re.IGNORECASE | re.ASCII,
)
_DEVICE = re.compile(
    r"(?<![\w])(iPhone\s*(?:1[0-9]|[6-9]|SE|X[SR]?)(?:\s*(?:Pro\s*Max|Pro|Plus|Max|mini|Air))?"
    r"|iPad(?:\s*(?:Pro|Air|mini))?(?:\s*\d+)?"
    r"|(?:Huawei|华为)\s*(?:Mate|P|nova|MatePad)\s*\d+(?:\s*(?:Pro\+?|RS))?"
    r"|(?:荣耀|Honor)\s*(?:Magic\s*)?\d+\w*(?:\s*Pro)?"
    r"|(?:Xiaomi|小米|Redmi|红米)\s*(?:Note\s*|K)?\d+\w*(?:\s*(?:Pro|Ultra))?"
    r"|(?:Samsung\s*)?Galaxy\s*(?:[ASZM]\d+\w*|Note\s*\d+|Tab\s*S\d+)(?:\s*(?:Ultra|\+))?"
    r"|Pixel\s*\d+\w*(?:\s*Pro)?|OPPO\s*(?:Find\s*X\d+|Reno\s*\d+|A\d+)\w*|vivo\s*[XSY]\d+\w*"
    r"|ThinkPad\s*[TXEPL]\d+\w*(?:\s*Gen\s*\d+)?|MacBook\s*(?:Pro|Air)?(?:\s*M\d(?:\s*(?:Pro|Max))?)?"
    r"|Surface\s*(?:Pro|Laptop|Go|Book)\s*\d*|Dell\s*(?:Latitude|XPS|OptiPlex|Inspiron)\s*\d+"
    r"|HP\s*(?:EliteBook|ProBook|Pavilion)\s*\d+\w*(?:\s*G\d+)?|iMac|Mac\s*(?:mini|Studio|Pro))",
    re.IGNORECASE | re.ASCII,
)
_NAMED_BEFORE = re.compile(
    r"(?:chrome|firefox|safari|edge|opera|ie|浏览器|browser|windows(?:\s*\d+)?|win\d*|ios|ipados|"
    r"android|macos|mac\s*os(?:\s*x)?|harmonyos|鸿蒙|ubuntu|centos|linux|kernel|内核|系统|os|"
    r"java|jdk|jre|python|node(?:\.js)?|\.net|php|mysql|oracle|postgresql|redis|nginx|tomcat)"
    r"\s*[:：]?\s*$",
    re.IGNORECASE | re.ASCII,
)
_DEVICE_LABEL = re.compile(
    r"(?:设备型号|手机型号|设备|型号|机型|device(?:\s*model)?|model|hardware)\s*[:：]\s*"
    r"([^,，;；。\s][^,，;；。]{1,40})",
    re.IGNORECASE | re.ASCII,
)


def _hints(*words: str) -> re.Pattern[str]:
    return re.compile("|".join(map(re.escape, words)))


# substrings (lower case) one of which a line must hold for a pattern to be tried at all
_UA_HINTS = _hints("mozilla/", "applewebkit/", "gecko/", "chrome/", "safari/", "micromessenger/")
_OS_HINTS = _hints(
    "win", "mac", "os", "android", "ubuntu", "centos", "debian", "rhel", "red hat", "rocky",
    "alma", "euler", "suse", "fedora", "uos", "麒麟", "kylin", "鸿蒙", "harmony", "chrome",
)
_BROWSER_HINTS = _hints(
    "chrome", "firefox", "safari", "edge", "opera", "ie", "explorer", "浏览器", "微信", "wechat",
)
_DEVICE_LABEL_HINTS = _hints("型号", "设备", "机型", "device", "model", "hardware")
_DEVICE_HINTS = _hints(
    "iphone", "ipad", "huawei", "华为", "荣耀", "honor", "xiaomi", "小米", "redmi", "红米",
    "galaxy", "pixel", "oppo", "vivo", "thinkpad", "macbook", "surface", "dell", "hp ", "mac",
)


def is_user_agent(line: str) -> bool:
    return _hinted(line.lower(), _UA_HINTS) and _UA.search(line) is not None


def _hinted(low: str, hints: re.Pattern[str]) -> bool:
    return hints.search(low) is not None


def facts(line: str) -> Iterator[tuple[str, str]]:
    low = line.lower()
    if _hinted(low, _UA_HINTS) and _UA.search(line):
        yield from _user_agent(line)
        return
    if _hinted(low, _OS_HINTS) and (m := _OS.search(line)):
        yield "os", _os_name(m.group(1))
    for m in _BROWSER.finditer(line) if _hinted(low, _BROWSER_HINTS) else ():
        name = m.group(1)
        if name.lower() == "safari" and "chrome" in line.lower():
            continue  # every Chrome user agent also says Safari
        if name.lower() == "ie" and not re.match(r"IE\s*\d", m.group(0)):
            continue
        yield "browser", f"{_browser_name(name)} {m.group(2)}"
        break
    for m in _APP_VERSION.finditer(line) if "." in line else ():
        if _NAMED_BEFORE.search(line[max(0, m.start() - 30) : m.start()]):
            continue  # "Chrome version 120", "Windows 10 version 22H2", "iOS v17.1"
        yield "app_version", m.group(1) or m.group(2)
        break
    if _hinted(low, _DEVICE_LABEL_HINTS) and (m := _DEVICE_LABEL.search(line)):
        yield "device", _tidy(m.group(1))
    elif _hinted(low, _DEVICE_HINTS) and (m := _DEVICE.search(line)):
        yield "device", _tidy(m.group(1))


def _user_agent(line: str) -> Iterator[tuple[str, str]]:
    for pattern, name in _UA_OS_VERSIONED:
        if m := pattern.search(line):
            version = m.group(1).replace("_", ".")
            yield "os", f"{name} {version}"
            break
    else:
        for pattern, name in _UA_OS:
            if pattern.search(line):
                yield "os", name
                break
        else:
            if "Linux" in line or "X11" in line:
                yield "os", "Linux"
    for pattern, name in _UA_BROWSERS:
        if m := pattern.search(line):
            yield "browser", f"{name} {m.group(1)}"
            break
    if m := _UA_ANDROID_DEVICE.search(line):
        if m.group(1).strip() not in ("K", "wv"):
            yield "device", m.group(1).strip()
    elif m := re.search(r"\((iPhone|iPad)\b", line):
        yield "device", m.group(1)


def _os_name(value: str) -> str:
    value = _tidy(value)
    if m := re.fullmatch(r"win\s?(7|8|10|11|xp)", value, re.IGNORECASE):
        return f"Windows {m.group(1).upper() if m.group(1).lower() == 'xp' else m.group(1)}"
    value = re.sub(r"(?i)^mac\s?os", "macOS", value)
    value = re.sub(r"(?i)\s*版本\s*", " ", value)
    return value.replace("_", ".")


def _browser_name(name: str) -> str:
    lowered = name.lower()
    return {
        "google chrome": "Chrome",
        "microsoft edge": "Edge",
        "internet explorer": "IE",
        "微信": "WeChat",
        "wechat": "WeChat",
    }.get(lowered, name if not name.isascii() else name[:1].upper() + name[1:])


def _tidy(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip()
