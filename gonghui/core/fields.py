"""Model fields for sensitive personal information (PIPL art. 28).

``EncryptedTextField`` keeps the plain value in Python and ciphertext in the database.
``BlindIndexField`` fills itself from a sibling encrypted field on save (``save`` and
``bulk_create`` both call ``pre_save``), normalised by the same function used for lookups::

    id_number = EncryptedTextField(blank=True)
    id_number_bidx = BlindIndexField(source="id_number", purpose="citizen_id")

    Member.objects.filter(id_number_bidx=blind_index_for("citizen_id", raw_input))
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models
from django.db.models import lookups

from . import crypto

NORMALISERS: dict[str, Callable[[str], str]] = {}


def register_normaliser(purpose: str, fn: Callable[[str], str]) -> None:
    NORMALISERS[purpose] = fn


class Indexes(str):
    """A blind index under the primary key (the text itself, what is written) carrying the
    value's index under every key held (``all``): a ``BlindIndexField`` filtered by it
    (``=`` or ``__in``) matches rows under any of them, so searches keep working while a key
    rotation has moved some rows and not yet others."""

    all: tuple[str, ...]

    def __new__(cls, values: list[str]) -> Indexes:
        made = super().__new__(cls, values[0])
        made.all = tuple(values)
        return made


def blind_index_for(purpose: str, value: str) -> Indexes:
    normalise = NORMALISERS.get(purpose, lambda v: v.strip())
    return Indexes(crypto.blind_index_all(normalise(value), purpose=purpose))


def every_index(values: Any) -> list[Any]:
    """Values of an ``__in`` lookup with each ``Indexes`` spread into all its keys' indexes."""
    out: list[Any] = []
    for value in values:
        out.extend(value.all if isinstance(value, Indexes) else (value,))
    return list(dict.fromkeys(out))


class _BlindExact(lookups.Exact):
    def as_sql(self, compiler: Any, connection: Any) -> Any:
        if isinstance(self.rhs, Indexes) and len(self.rhs.all) > 1:
            return lookups.In(self.lhs, list(self.rhs.all)).as_sql(compiler, connection)
        return super().as_sql(compiler, connection)


class _BlindIn(lookups.In):
    def get_prep_lookup(self) -> Any:
        if isinstance(self.rhs, list | tuple | set | frozenset):
            self.rhs = every_index(self.rhs)
        return super().get_prep_lookup()


class EncryptedTextField(models.TextField):
    """Text encrypted at rest with AES-GCM; never searchable except through a blind index."""

    sensitive = True

    def __init__(self, *args: Any, mask: str = "generic", **kwargs: Any) -> None:
        # mask: how the audit log and lists show the value ("id_number", "phone", "text", ...)
        self.mask = mask
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.mask != "generic":
            kwargs["mask"] = self.mask
        return name, path, args, kwargs

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def to_python(self, value: Any) -> Any:
        # a value read back from a dump (``loaddata``) is ciphertext: decrypt it, so the
        # instance holds plain text like one loaded from the database
        if isinstance(value, str) and value.startswith(crypto.PREFIX):
            try:
                return crypto.decrypt(value)
            except Exception:  # noqa: BLE001 - not our ciphertext after all: plain text
                return value
        return super().to_python(value)

    def value_to_string(self, obj: models.Model) -> str:
        """What serialisation (``dumpdata``, fixtures) writes: ciphertext, never the plain
        value — a dump is a copy of the database and must not be easier to read than it."""
        value = self.value_from_object(obj)
        if value is None or value == "":
            return "" if value is None else value
        return str(self.get_prep_value(value))

    def get_prep_value(self, value: Any) -> Any:
        if isinstance(value, str) and value.startswith(crypto.PREFIX):
            return value  # already ciphertext (before ``to_python`` would decrypt it)
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(str(value))


class BlindIndexField(models.CharField):
    def __init__(self, *args: Any, source: str = "", purpose: str = "", **kwargs: Any) -> None:
        self.source = source
        self.purpose = purpose
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        kwargs["purpose"] = self.purpose
        # __init__ defaults db_index to True, so False must be written out to survive the
        # round trip through a migration (Field.deconstruct omits it as the base default)
        kwargs["db_index"] = self.db_index  # type: ignore[attr-defined]
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        plain = getattr(model_instance, self.source) or ""
        value = str(blind_index_for(self.purpose, plain)) if plain else ""
        setattr(model_instance, self.attname, value)
        return value

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "exact":
            return _BlindExact
        if lookup_name == "in":
            return _BlindIn
        return super().get_lookup(lookup_name)
