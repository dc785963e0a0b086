"""Pickers: choose an org, enterprise, member, topic or user by typing part of its name, its
short name, its pinyin (``mudan``) or initials (``mdq``), or its code — never by knowing a code.

A module registers one ``Picker`` per kind in its ``pickers.py`` (discovered at start-up):
``search(user, q, limit)`` answers the options the user may see, best first, and
``resolve(user, value)`` one option by its value (a code, an id) — both scoped, so that someone
outside the scope finds nothing. ``/pick/<kind>/?q=`` serves the search as JSON (as ``<option>``
elements to htmx), and ``PickerField`` is the form field: a text box with a suggestion list
(``<datalist>``) that htmx fills as one types; without JavaScript the box still takes a name,
short name or code, resolved on the server. The field cleans to the option's value, which is
what the services already take.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

from django import forms
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from pypinyin import Style, lazy_pinyin

_LATIN = re.compile(r"^[a-z]+$")


@dataclass(frozen=True)
class Option:
    value: str  # what the form submits and the service takes: a code, an id, a username
    label: str  # what people read: the name
    detail: str = ""  # what tells two of the same name apart: the parent, the union, the org

    @property
    def text(self) -> str:
        """The option as the box shows it once chosen: ``机关工会（牡丹区总工会）``."""
        return f"{self.label}（{self.detail}）" if self.detail else self.label

    def as_json(self) -> dict[str, str]:
        return {"value": self.value, "label": self.label, "detail": self.detail, "text": self.text}


@dataclass(frozen=True)
class Picker:
    kind: str
    label: Any
    search: Callable[[Any, str, int], list[Option]]
    resolve: Callable[[Any, str], Option | None]


PICKERS: dict[str, Picker] = {}
LIMIT = 20


def register(
    kind: str,
    *,
    label: Any,
    search: Callable[[Any, str, int], list[Option]],
    resolve: Callable[[Any, str], Option | None],
) -> None:
    PICKERS[kind] = Picker(kind, label, search, resolve)


def get(kind: str) -> Picker:
    return PICKERS[kind]


@lru_cache(maxsize=50_000)
def pinyin_keys(text: str) -> tuple[str, str]:
    """``牡丹区总工会`` → ``("mudanquzonggonghui", "mdqzgh")``: what a name matches when one
    types latin letters (cached: pickers search the same names again and again)."""
    syllables = [s.lower() for s in lazy_pinyin(text, style=Style.NORMAL, v_to_u=False)]
    parts = [re.sub(r"[^a-z]", "", s) for s in syllables]
    parts = [p for p in parts if p]
    return "".join(parts), "".join(p[0] for p in parts)


def rank(q: str, *names: str) -> int | None:
    """How well ``q`` matches a record known by ``names`` (name, short name, code …), lower
    is better, ``None`` for no match: 0 exact, 1 prefix, 2 contained, 3 pinyin prefix,
    4 initials prefix, 5 pinyin or initials contained."""
    q = q.strip().lower()
    if not q:
        return None
    names = tuple(n.lower() for n in names if n)
    if q in names:
        return 0
    if any(n.startswith(q) for n in names):
        return 1
    if any(q in n for n in names):
        return 2
    letters = re.sub(r"[\s'’·]", "", q)
    if not _LATIN.match(letters):
        return None
    keys = [pinyin_keys(n) for n in names]
    if any(full.startswith(letters) for full, _i in keys):
        return 3
    if any(initials.startswith(letters) for _f, initials in keys):
        return 4
    if any(letters in full or letters in initials for full, initials in keys):
        return 5
    return None


def ranked(
    q: str, rows: Iterable[Any], names: Callable[[Any], tuple[str, ...]], limit: int
) -> list[Any]:
    """``rows`` matching ``q``, best match first (``rank``), then in their given order; the
    first ``limit`` rows when nothing is typed yet."""
    if not q.strip():
        return list(rows)[:limit]
    scored = []
    for i, row in enumerate(rows):
        r = rank(q, *names(row))
        if r is not None:
            scored.append((r, i, row))
    scored.sort(key=lambda t: (t[0], t[1]))
    return [row for _r, _i, row in scored[:limit]]


def pick(user: Any, kind: str, typed: str) -> Option:
    """The one option ``typed`` names for ``user``: its value (a code), the text of an
    option as the list shows it, or a name or short name that only one record in scope has.
    ``ValidationError`` (in words, naming what to do) otherwise."""
    picker = get(kind)
    typed = " ".join(str(typed).split())
    if not typed:
        raise forms.ValidationError(_("请选择%(what)s") % {"what": picker.label})
    found = picker.resolve(user, typed)
    if found is not None:
        return found
    # "机关工会（牡丹区总工会）" is an option's text: search by the name before the detail
    query = typed.split("（", 1)[0] if typed.endswith("）") and "（" in typed else typed
    options = picker.search(user, query, LIMIT)
    exact = [o for o in options if typed in (o.text, o.label)]
    if len(exact) == 1:
        return exact[0]
    if len(exact) > 1:
        raise forms.ValidationError(
            _("有 %(n)d 个“%(name)s”，请从列表中选择一个") % {"n": len(exact), "name": typed}
        )
    if len(options) == 1:
        return options[0]
    if options:
        raise forms.ValidationError(
            _("“%(typed)s”对应多个%(what)s，请从列表中选择一个")
            % {"typed": typed, "what": picker.label}
        )
    raise forms.ValidationError(
        _("未找到“%(typed)s”，请输入名称、简称或拼音后从列表中选择")
        % {"typed": typed, "what": picker.label}
    )


class PickerInput(forms.TextInput):
    """A text box and its suggestions. Without JavaScript it is a box with a ``<datalist>`` of
    the ``options`` given (a holder's sub-unions, the topic list) and takes a name, short name
    or code; ``static/js/pickers.js`` turns it into an ARIA combobox that asks
    ``/pick/<kind>/`` as one types (pinyin, initials) and lists the answers under the box —
    tap or arrow keys and Enter to choose."""

    def __init__(self, kind: str, attrs: dict[str, Any] | None = None) -> None:
        self.kind = kind
        self.user: Any = None
        self.options: list[Option] = []
        super().__init__(
            {"autocomplete": "off", "spellcheck": "false", "enterkeyhint": "done", **(attrs or {})}
        )

    def format_value(self, value: Any) -> str | None:
        """A stored value (a code) is shown as its option's text (a name)."""
        if value in (None, ""):
            return None
        value = str(value)
        if self.kind in PICKERS and self.user is not None:
            found = get(self.kind).resolve(self.user, value)
            if found is not None:
                return found.text
        return value

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        list_id = f"{widget['attrs'].get('id') or name}-options"
        widget["attrs"].update(
            {
                "list": list_id,
                "data-picker": self.kind,
                "data-picker-url": reverse("pick", args=[self.kind]),
            }
        )
        return context

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        box = super().render(name, value, attrs, renderer)
        list_id = f"{(attrs or {}).get('id') or self.attrs.get('id') or name}-options"
        options = format_html_join(
            "",
            '<option value="{}" data-value="{}" data-label="{}" data-detail="{}"></option>',
            ((o.text, o.value, o.label, o.detail) for o in self.options),
        )
        return format_html('{}<datalist id="{}">{}</datalist>', box, list_id, options)


class PickerField(forms.CharField):
    """A form field choosing one ``kind`` record by name: cleans to the option's value (a
    code, an id). Bind it to the request's user (``bind_pickers``) so that it searches and
    resolves within that user's scope; unbound, it finds nothing."""

    def __init__(self, kind: str, **kwargs: Any) -> None:
        self.kind = kind
        self.user: Any = None
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault("widget", PickerInput(kind))
        super().__init__(**kwargs)
        self.option: Option | None = None

    def clean(self, value: Any) -> Any:
        text = super().clean(value)
        if text in self.empty_values:
            return text
        self.option = pick(self.user, self.kind, text)
        return self.option.value


FormT = TypeVar("FormT", bound=forms.BaseForm)


def bind_pickers(form: FormT, user: Any) -> FormT:
    """Scope every picker of ``form`` to ``user``; returns the form."""
    for bound in form.fields.values():
        if isinstance(bound, PickerField):
            bound.user = user
        if isinstance(bound.widget, PickerInput):
            bound.widget.user = user
    return form
