"""The password policy beyond Django's validators (length, common, numeric, like the username).

Each validator refuses one kind of weak password and its message names the rule:

- ``CharacterClassValidator``: letters and digits both;
- ``WhitespaceValidator``: not mostly spaces (``"          a1"`` is two characters of password);
- ``DistinctCharactersValidator``: enough different characters (``1111111111a``);
- ``RepeatedPatternValidator``: not a short pattern repeated (``Aa1Aa1Aa1A``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class CharacterClassValidator:
    def validate(self, password: str, user: Any = None) -> None:
        if not any(c.isalpha() for c in password) or not any(c.isdigit() for c in password):
            raise ValidationError(_("密码须同时包含字母和数字。"), code="password_classes")

    def get_help_text(self) -> str:
        return _("密码须同时包含字母和数字。")


class WhitespaceValidator:
    """Spaces do not count towards the length, and may not make up half the password."""

    def __init__(self, min_length: int = 10) -> None:
        self.min_length = min_length

    def _message(self) -> str:
        return _("密码不能主要由空格组成：去掉空格后至少须有 %(min)d 个字符。") % {
            "min": self.min_length
        }

    def validate(self, password: str, user: Any = None) -> None:
        blank = sum(1 for c in password if c.isspace())
        if len(password) - blank < self.min_length or blank * 2 >= len(password) > 0:
            raise ValidationError(self._message(), code="password_mostly_spaces")

    def get_help_text(self) -> str:
        return self._message()


class DistinctCharactersValidator:
    def __init__(self, min_distinct: int = 6) -> None:
        self.min_distinct = min_distinct

    def _message(self) -> str:
        return _("密码至少须包含 %(n)d 个不同的字符。") % {"n": self.min_distinct}

    def validate(self, password: str, user: Any = None) -> None:
        if len(set(password.casefold())) < self.min_distinct:
            raise ValidationError(self._message(), code="password_too_few_distinct")

    def get_help_text(self) -> str:
        return self._message()


def repeated_stretch(text: str) -> int:
    """The length of the longest stretch of ``text`` that repeats one unit at least twice
    (``abcabca`` in ``xabcabca``: 7). Case is ignored; units longer than 64 characters are
    not looked for, which keeps a long passphrase's check linear."""
    s = text.casefold()
    n = len(s)
    best = 0
    for period in range(1, min(n // 2, 64) + 1):
        run = 0  # positions i with s[i] == s[i + period], consecutive
        for i in range(n - period):
            run = run + 1 if s[i] == s[i + period] else 0
            if run >= period:  # the unit appears at least twice in a row
                best = max(best, run + period)
    return best


class RepeatedPatternValidator:
    """Refused when one repeated unit makes up the password but for at most ``slack``
    characters: ``Aa1Aa1Aa1A``, ``abcabcabc12``, ``haha-haha-haha-7``."""

    def __init__(self, slack: int = 2) -> None:
        self.slack = slack

    def validate(self, password: str, user: Any = None) -> None:
        if password and repeated_stretch(password) >= len(password) - self.slack:
            raise ValidationError(self.get_help_text(), code="password_repeated_pattern")

    def get_help_text(self) -> str:
        return _("密码不能是一小段字符的重复（如 Aa1Aa1Aa1A）。")
