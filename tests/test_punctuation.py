"""Chinese text uses full-width punctuation (，。：；？！（）): the Chinese catalogue (every
msgid of the English .po is the Chinese source text), the templates, the report's narrative and
its PDF. An ASCII , ; : ? ! next to a Chinese character, or ASCII parentheses around or after
one, is a mistake ("您好,王建国" → "您好，王建国")."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import polib
import pytest
from django.conf import settings

from gonghui.reports import selectors
from gonghui.reports.text import paragraphs

from .conftest import People, Tree
from .test_reports_figures import END, START, seed
from .test_reports_pages import pdf_text

PO = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
TEMPLATES = Path(settings.BASE_DIR) / "templates"

HAN = "\u3400-\u9fff\u3000-\u303f\uff00-\uffef“”‘’《》"
ASCII_NEXT_TO_CHINESE = re.compile(
    rf"(?<=[{HAN}])[,;:!?]|[,;:!](?=[{HAN}])"  # a mark after or before a Chinese character
    rf"|(?<![%_])\((?=[^()]*[{HAN}])[^()]*\)"  # parentheses holding Chinese (not _("…")) …
    rf"|(?<=[{HAN}])\([^()%]*\)"  # … or right after it
)


def _in_the_source() -> str:
    """The program's own text (code and templates, not the catalogue or the migrations): a
    catalogue entry no longer found there is obsolete, and goes when the catalogue is next
    made (``makemessages``, at merge)."""
    root = Path(settings.BASE_DIR)
    return "\n".join(
        path.read_text()
        for pattern in ("*.py", "*.html")
        for path in root.rglob(pattern)
        if "migrations" not in path.parts and "locale" not in path.parts
    )


def offenders(text: str) -> list[str]:
    return [m.group(0) for m in ASCII_NEXT_TO_CHINESE.finditer(text)]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("您好,王建国", [","]),
        ("新建工会组织:26个", [":"]),
        ("身份证号:身份证号校验位不正确", [":"]),
        ("一是产业工会建设;二是", [";"]),
        ("金额(元)", ["(元)"]),
        ("您好，王建国。", []),
        ("%(start)s至%(end)s，%(org)s", []),
        ("共 %(n)d 条记录", []),
        ("GONGHUI_PDF_FONT=/x.ttf: no such file", []),
    ],
)
def test_the_rule(text: str, found: list[str]) -> None:
    assert offenders(text) == found


def test_the_chinese_catalogue_uses_full_width_punctuation() -> None:
    source = _in_the_source()
    bad = {
        text: offenders(text)
        for entry in polib.pofile(str(PO))
        if not entry.obsolete
        for text in (entry.msgid, entry.msgid_plural)
        if text and offenders(text) and text in source
    }
    assert bad == {}


def test_model_labels_and_choices_use_full_width_punctuation() -> None:
    """Field labels and choices, which the pages, the audit and the exports show."""
    from django.apps import apps

    bad = {}
    for model in apps.get_models():
        if not model.__module__.startswith("gonghui."):
            continue
        texts = [str(model._meta.verbose_name), str(model._meta.verbose_name_plural)]
        for f in model._meta.get_fields():
            texts.append(str(getattr(f, "verbose_name", "")))
            texts += [str(label) for _value, label in getattr(f, "flatchoices", None) or []]
        for text in texts:
            if found := offenders(text):
                bad[f"{model._meta.label}: {text}"] = found
    assert bad == {}


# Strings the program reads from what people type (a template's "(必填)" mark), not text it shows.
READ_NOT_SHOWN = {"(必填)"}


def _shown_literals(path: Path) -> list[tuple[int, str]]:
    """The string literals of a module that are Chinese text (more Chinese characters than
    Latin letters), docstrings and regular expressions left out; an f-string with its fields
    as ``X``."""
    import ast

    tree = ast.parse(path.read_text())
    docstrings = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) in docstrings:
                continue
            text = node.value
        elif isinstance(node, ast.JoinedStr):
            text = "".join(v.value if isinstance(v, ast.Constant) else "X" for v in node.values)
        else:
            continue
        han = len(re.findall(f"[{HAN}]", text))
        if han <= len(re.findall("[A-Za-z]", text)) or text.startswith(("^", "[")) or "\\s" in text:
            continue
        found.append((node.lineno, text))
    return found


def test_chinese_text_in_the_code_uses_full_width_punctuation() -> None:
    """What the CLI prints, the demo's records (a 12351 order's words), messages not yet in
    the catalogue: every Chinese string literal of the program."""
    bad = {}
    for path in sorted(Path(settings.BASE_DIR).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for line, text in _shown_literals(path):
            if text not in READ_NOT_SHOWN and (found := offenders(text)):
                bad[f"{path.name}:{line}: {text[:40]}"] = found
    assert bad == {}


def test_the_templates_use_full_width_punctuation() -> None:
    bad = {}
    for path in sorted(TEMPLATES.rglob("*.html")):
        for n, line in enumerate(path.read_text().splitlines(), start=1):
            if found := offenders(line):
                bad[f"{path.relative_to(TEMPLATES)}:{n}"] = found
    assert bad == {}


def test_the_narrative_and_the_pdf_use_full_width_punctuation(
    tree: Tree, people: People, login: Any
) -> None:
    seed(tree, people)
    report = selectors.report_compute(org=tree.city, start=START, end=END)
    text = "".join(paragraphs(report))
    assert "：" in text and "；" in text and offenders(text) == []
    response = login(people.leader).get(f"/reports/download.pdf?org=371700&from={START}&to={END}")
    body = pdf_text(response.content)
    assert "一、产业工会建设" in body
    assert offenders(body) == []


def test_an_import_reason_names_its_column_once() -> None:
    from gonghui.members.importing import _reason

    labels = {"id_number": "公民身份号码", "education": "文化程度"}
    reason = _reason(
        [
            {"field": "id_number", "message": "身份证号校验位不正确"},
            {"field": "education", "message": "无法识别“博士后”"},
        ],
        labels,
    )
    assert reason == "身份证号校验位不正确；文化程度：无法识别“博士后”"
