"""The English translation: pages, nav and API errors switch with the language cookie or
Accept-Language; Chinese stays the default; the catalogue is complete and keeps every
placeholder, and the committed .mo matches the .po (CI has no gettext to compile it)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import polib
import pytest
from django.conf import settings
from django.test import Client

LOCALE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
PO = LOCALE / "django.po"
MO = LOCALE / "django.mo"

# %(name)s, %(n)d, %(s).1f, bare %s / %d, and str.format's {name}; "%%" is a literal percent.
PLACEHOLDER = re.compile(r"%%|%(?:\([^)]+\))?[#0 +-]*\d*(?:\.\d+)?[sdifr]|\{[^{}]*\}")
TAG = re.compile(r"</?[a-zA-Z][^>]*>")
CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")

# Chinese a user must type as it is in the data: the ID validity value "长期", a topic name
# given as an example of what the topic box accepts, and the column headers, values and
# separators that the imports (bank receipts, opinions, scores, enterprise lists, candidate
# lists) read as written.
CJK_KEPT = {
    "长期", "欠薪", "统一社会信用代码", "、", "基本条件，20", "无异议", "有问题", "序号", "账号",
    "金额", "处理结果", "失败原因", "交易日期", "成功", "失败", "无", "是", "否", "男", "女",
    "（必填）", "文本", "整数", "数字", "日期",
}  # fmt: skip
CJK_KEPT_RE = re.compile("|".join(map(re.escape, sorted(CJK_KEPT, key=len, reverse=True))))


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def text(response: Any) -> str:
    return response.content.decode()


def _catalogue() -> polib.POFile:
    return polib.pofile(str(PO))


def _forms(entry: polib.POEntry) -> list[tuple[str, str]]:
    """(source, translation) pairs: one for a plain entry, one per plural form."""
    if entry.msgid_plural:
        return [
            (entry.msgid if n == 0 else entry.msgid_plural, text)
            for n, text in sorted(entry.msgstr_plural.items())
        ]
    return [(entry.msgid, entry.msgstr)]


# ---- pages ---------------------------------------------------------------------------------


def test_login_page_in_english_with_cookie(db: Any) -> None:
    response = english(Client()).get("/login/")
    assert response.status_code == 200
    body = text(response)
    assert '<html lang="en">' in body
    assert "<title>Sign in · Smart Union</title>" in body
    assert "<h1>Sign in to Smart Union</h1>" in body
    assert '<label for="id_username">Username</label>' in body
    assert '<label for="id_password">Password</label>' in body
    assert '<button type="submit" class="primary block">Sign in</button>' in body
    assert "<p>Smart Union Service Platform</p>" in body
    for chinese in ("登录智慧工会", "用户名", "密码", "智慧工会综合服务平台"):
        assert chinese not in body


def test_login_page_in_english_with_accept_language(db: Any) -> None:
    body = text(Client().get("/login/", headers={"Accept-Language": "en-GB,en;q=0.9"}))
    assert "<h1>Sign in to Smart Union</h1>" in body
    assert "登录智慧工会" not in body


def test_login_error_in_english(people: Any) -> None:
    response = english(Client()).post(
        "/login/", {"username": "city_cadre", "password": "wrong-password-1"}
    )
    assert response.status_code == 200
    body = text(response)
    assert "<p>Incorrect username or password.</p>" in body
    assert "用户名或密码不正确" not in body


def test_login_page_stays_chinese_by_default(db: Any) -> None:
    body = text(Client().get("/login/"))
    assert '<html lang="zh-CN">' in body
    assert "<h1>登录智慧工会</h1>" in body
    assert '<label for="id_username">用户名</label>' in body
    assert "Sign in to Smart Union" not in body
    assert "Username" not in body


def test_language_switch_sets_english_then_back(db: Any) -> None:
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert response.status_code == 302
    assert "<h1>Sign in to Smart Union</h1>" in text(client.get("/login/"))
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/login/"})
    assert "<h1>登录智慧工会</h1>" in text(client.get("/login/"))


def test_cadre_home_in_english(people: Any, login: Any) -> None:
    response = english(login(people.city_cadre)).get("/")
    assert response.status_code == 200
    body = text(response)
    assert "<title>Home · Smart Union</title>" in body
    assert "<h1>Hello, city_cadre</h1>" in body
    assert "Union cadre" in body  # the role under the greeting
    assert "<h2>This level and below</h2>" in body
    assert '<span class="stat-label">Active accounts</span>' in body
    assert 'aria-label="Shortcuts"' in body
    assert ">New sub-organization</a>" in body
    assert ">Change password</a>" in body
    assert '<button type="submit" class="link">Sign out</button>' in body
    # the kernel's own words; the modules of 2026-12 (assistance, legal, honours …) still
    # await their English (their labels would otherwise match "退出" inside "退出日期")
    for chinese in (
        "您好",
        "本级及下级概况",
        "有效账号",
        "快捷入口",
        "新建下级组织",
        ">退出<",
        "工会干部",
    ):
        assert chinese not in body


def test_cadre_home_stays_chinese_by_default(people: Any, login: Any) -> None:
    body = text(login(people.city_cadre).get("/"))
    assert "<h1>您好，city_cadre</h1>" in body
    assert 'aria-label="快捷入口"' in body
    assert '<a href="/" aria-current="page">首页</a>' in body
    assert "Shortcuts" not in body
    assert "Hello," not in body


def test_nav_in_english(people: Any, login: Any) -> None:
    body = text(english(login(people.city_cadre)).get("/"))
    nav = body[body.index('<nav class="nav"') : body.index("</nav>")]
    assert 'aria-label="Main navigation"' in nav
    assert '<a href="/" aria-current="page">Home</a>' in nav
    assert '<a href="/orgs/">Organizations</a>' in nav
    assert '<a href="/users/">Accounts</a>' in nav
    assert '<a href="/audit/">Audit log</a>' in nav
    assert "☰ Menu" in body
    for chinese in ("首页", "组织", "账号", "审计日志", "主导航", "菜单"):
        assert chinese not in nav


def test_member_nav_in_english(people: Any, login: Any) -> None:
    body = text(english(login(people.member_a)).get("/portal/"))
    nav = body[body.index('<nav class="nav"') : body.index("</nav>")]
    assert '<a href="/portal/" aria-current="page">Me</a>' in nav
    assert "我的" not in nav


def test_not_found_page_in_english(people: Any, login: Any) -> None:
    response = english(login(people.cadre_b)).get(f"/orgs/{people.cadre_a.org.code}/")
    assert response.status_code == 404
    body = text(response)
    assert "Not found" in body
    assert "does not exist or is outside your jurisdiction" in body
    assert "未找到" not in body


# ---- API problem details -------------------------------------------------------------------


def test_api_forbidden_detail_in_english(people: Any, api: Any) -> None:
    response = api(people.member_a).get("/api/v1/audit", headers={"Accept-Language": "en"})
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank",
        "title": "Forbidden",
        "status": 403,
        "detail": "Your role may not view the audit log",
    }


def test_api_forbidden_detail_stays_chinese_by_default(people: Any, api: Any) -> None:
    response = api(people.member_a).get("/api/v1/audit")
    assert response.status_code == 403
    assert response.json()["detail"] == "当前角色无权查看审计日志"


def test_api_invalid_input_message_in_english(people: Any, api: Any) -> None:
    response = api(people.city_cadre).get(
        "/api/v1/audit?from=2026-02-01&to=2026-01-01", headers={"Accept-Language": "en"}
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "to", "message": "The end date cannot be earlier than the start date"}
    ]


def test_api_schema_errors_in_english(people: Any, api: Any) -> None:
    """pydantic's own errors (a limit out of range, not a number) follow the language too."""
    client = api(people.city_cadre)
    for query, message in (
        ("limit=501", "Must not be greater than 500"),
        ("limit=x", "Must be a whole number"),
    ):
        response = client.get(f"/api/v1/orgs?{query}", headers={"Accept-Language": "en"})
        assert response.status_code == 422
        assert response.json()["errors"] == [{"field": "limit", "message": message}]


# ---- the catalogue -------------------------------------------------------------------------


def test_catalogue_is_complete() -> None:
    po = _catalogue()
    assert po.metadata["Language"] == "en"
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []
    assert not po.metadata_is_fuzzy
    assert len(po.translated_entries()) > 500


GETTEXT = {"_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy"}
TRANSLATE_TAG = re.compile(r"""\{% translate (?:"([^"]*)"|'([^']*)')""")
BLOCK_TAG = re.compile(
    r"\{% blocktranslate(?: with [^%]*)? %\}(.*?)\{% (?:endblocktranslate|plural) %\}", re.S
)


def source_messages() -> set[str]:
    """Every message the program marks for translation, read from the source without
    gettext: the literal first arguments (and plurals) of ``_``, ``gettext``, ``gettext_lazy``,
    ``gettext_noop`` and ``ngettext`` in the code — also where ``makemessages`` misses them,
    inside an f-string — and the ``{% translate %}`` and plain ``{% blocktranslate %}`` texts
    of the templates (``{{ n }}`` read as ``%(n)s``)."""
    import ast

    root = Path(settings.BASE_DIR)
    found: set[str] = set()
    for path in root.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name not in GETTEXT:
                continue
            count = 2 if name.startswith("ngettext") else 1
            for arg in node.args[:count]:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found.add(arg.value)
    for path in (root / "templates").rglob("*.html"):
        html = path.read_text()
        # a template's literal "%" is "%%" in the catalogue (Django escapes it both ways)
        found.update((a or b).replace("%", "%%") for a, b in TRANSLATE_TAG.findall(html))
        for body in BLOCK_TAG.findall(html):
            if "{%" not in body:
                found.add(re.sub(r"\{\{ *(\w+) *\}\}", r"%(\1)s", body.replace("%", "%%")))
    return found


def test_every_message_of_the_source_is_in_the_catalogue() -> None:
    """A message added to the code or a template without ``makemessages`` and a translation
    would show in Chinese on an English page: the catalogue must hold every one."""
    catalogue = {
        text
        for entry in _catalogue()
        if not entry.obsolete
        for text in (entry.msgid, entry.msgid_plural)
        if text
    }
    missing = sorted(m for m in source_messages() if m and m not in catalogue)
    assert missing == []


def test_every_translation_keeps_its_placeholders() -> None:
    wrong = [
        (source, translation)
        for entry in _catalogue()
        if not entry.obsolete
        for source, translation in _forms(entry)
        if Counter(PLACEHOLDER.findall(source)) != Counter(PLACEHOLDER.findall(translation))
    ]
    assert wrong == []


def test_every_translation_keeps_its_html() -> None:
    wrong = [
        (source, translation)
        for entry in _catalogue()
        if not entry.obsolete
        for source, translation in _forms(entry)
        if Counter(TAG.findall(source)) != Counter(TAG.findall(translation))
    ]
    assert wrong == []


def test_no_chinese_left_in_translations() -> None:
    left = [
        (source, translation)
        for entry in _catalogue()
        if not entry.obsolete
        for source, translation in _forms(entry)
        if CJK.search(CJK_KEPT_RE.sub("", translation))
    ]
    assert left == []


def test_plural_forms_are_english() -> None:
    po = _catalogue()
    assert po.metadata["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    for entry in po:
        if entry.msgid_plural:
            assert sorted(entry.msgstr_plural) == [0, 1]


def test_compiled_catalogue_matches_the_po() -> None:
    """The .mo is committed; a .po edited without recompiling would not show."""
    po = {(e.msgctxt, e.msgid): e for e in _catalogue() if not e.obsolete}
    mo = {(e.msgctxt, e.msgid): e for e in polib.mofile(str(MO)) if e.msgid}
    assert sorted(po, key=str) == sorted(mo, key=str)
    stale = [key for key, entry in po.items() if _forms(entry) != _forms(mo[key])]
    assert stale == []


@pytest.mark.parametrize(
    ("chinese", "english_text"),
    [
        ("工会干部", "Union cadre"),
        ("基层工会", "Grassroots union"),
        ("市总工会", "Municipal federation of trade unions"),
        ("县区总工会", "County/district federation of trade unions"),
        ("会员之家", "Members' Home"),
        ("会籍接转", "Membership transfers"),
        ("审计日志", "Audit log"),
        ("统一社会信用代码", "Unified social credit code"),
        ("身份证号", "Citizen ID number"),
        ("停会", "Suspended"),
    ],
)
def test_glossary_terms(chinese: str, english_text: str) -> None:
    from django.utils import translation

    with translation.override("en"):
        assert translation.gettext(chinese) == english_text
    with translation.override("zh-hans"):
        assert translation.gettext(chinese) == chinese


def test_org_search_in_english_with_plural_and_shared_msgid(people: Any, login: Any) -> None:
    """ "%(n)s 人" is a plain message in the org row and a plural one on a work order; the
    plain lookup falls back to the plural entry, so both read the same in English."""
    body = text(english(login(people.city_cadre)).get("/orgs/_search/?q=甲公司"))
    assert "<h2>1 organization found" in body
    assert '<span class="muted">workers: 120</span>' in body
    assert "找到" not in body
    assert "120 人" not in body


def test_hotline_queue_in_english(people: Any, login: Any) -> None:
    response = english(login(people.operator)).get("/hotline/")
    assert response.status_code == 200
    body = text(response)
    assert "<h1>12351 hotline work orders</h1>" in body
    assert "Yellow card: one working day before the due date; red card: overdue." in body
    for chinese in ("12351 热线工单", "黄牌", "红牌"):
        assert chinese not in body


def test_api_401_and_404_details_follow_the_language(people: Any, api: Any) -> None:

    anonymous = Client(headers={"Accept-Language": "en"})
    assert anonymous.get("/api/v1/orgs").json()["detail"] == "Log in or send a valid token"
    assert Client().get("/api/v1/orgs").json()["detail"] == "需要登录或有效的令牌"
    missing = api(people.cadre_b).get("/api/v1/orgs/NOPE", headers={"Accept-Language": "en"})
    assert missing.status_code == 404 and missing.json()["detail"] == "Not found"
