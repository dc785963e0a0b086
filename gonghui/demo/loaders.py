"""Demo loaders: an ordered list of ``(name, fn(stdout))`` that ``gonghui demo`` runs in one
transaction.

The union tree and the demo accounts come first. A later module adds its own data without
editing the command: in a ``demo_loaders.py`` module of its app (found by autodiscovery, in
``INSTALLED_APPS`` order), it calls ``register("members", load_members)``. Every loader must be
idempotent — key what it writes by a natural key (code, username, credit code) and write only
what is missing — so that running the demo twice changes nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from django.db import transaction
from django.utils.module_loading import autodiscover_modules

from gonghui.core import audit

from . import heze


class Output(Protocol):
    """Where loaders report progress: a command's stdout or an ``io.StringIO``."""

    def write(self, msg: str, /) -> Any: ...


Loader = Callable[[Output], None]
LOADERS: list[tuple[str, Loader]] = []


def register(name: str, fn: Loader) -> None:
    """Append a loader; registering the same name again replaces it in place."""
    for i, (existing, _) in enumerate(LOADERS):
        if existing == name:
            LOADERS[i] = (name, fn)
            return
    LOADERS.append((name, fn))


@dataclass(frozen=True)
class Timing:
    """What one loader cost: CPU seconds of this process, and wall seconds."""

    name: str
    cpu: float
    wall: float


def run_all(
    stdout: Output, only: Iterable[str] | None = None, *, timings: bool = False
) -> list[Timing]:
    """Run every loader (or those named in ``only``), in order, in one transaction; return
    what each cost, and with ``timings`` print it after each loader's own line."""
    autodiscover_modules("demo_loaders")
    wanted = None if only is None else set(only)
    spent: list[Timing] = []
    with transaction.atomic():
        for name, fn in LOADERS:
            if wanted is None or name in wanted:
                cpu, wall = time.process_time(), time.perf_counter()
                fn(stdout)
                cost = Timing(name, time.process_time() - cpu, time.perf_counter() - wall)
                spent.append(cost)
                if timings:
                    stdout.write(f"  用时：{name} CPU {cost.cpu:.1f} 秒，墙钟 {cost.wall:.1f} 秒\n")
    if timings and spent:
        cpu = sum(t.cpu for t in spent)
        wall = sum(t.wall for t in spent)
        stdout.write(f"  用时合计：CPU {cpu:.1f} 秒，墙钟 {wall:.1f} 秒\n")
    return spent


# -- the union tree and enterprises ------------------------------------------------------------

ORG_FIELDS = (
    "name",
    "short_name",
    "kind",
    "sector",
    "region_code",
    "uscc",
    "founded_on",
    "chair",
    "contact_name",
    "contact_phone",
    "address",
    "headcount",
)


def load_orgs(stdout: Output) -> None:
    """The Heze tree, level by level with bulk inserts, then the enterprises.

    Orgs are keyed by code and enterprises by credit code: what exists is left as it is (a
    user may have edited it), only what is missing is inserted.
    """
    from gonghui.orgs.models import Enterprise, Org

    data = heze.build()
    known: dict[str, Org] = {
        o.code: o
        for o in Org.objects.filter(code__in=[s.code for s in data.orgs]).only(
            "id", "code", "path", "depth"
        )
    }
    taken_uscc = set(
        Org.objects.filter(uscc__in=[s.uscc for s in data.orgs if s.uscc]).values_list(
            "uscc", flat=True
        )
    )
    created = 0
    level: list[heze.OrgSpec] = []
    depth_of: dict[str, int] = {}

    def flush() -> int:
        if not level:
            return 0
        objs = [
            Org(
                code=spec.code,
                parent=known[spec.parent] if spec.parent else None,
                path="",  # set below, once the id is known
                depth=known[spec.parent].depth + 1 if spec.parent else 0,
                **{
                    f: ("" if f == "uscc" and spec.uscc in taken_uscc else getattr(spec, f))
                    for f in ORG_FIELDS
                },
            )
            for spec in level
            if spec.parent is None or spec.parent in known
        ]
        Org.objects.bulk_create(objs, batch_size=500)
        for org in objs:
            org.path = f"{org.parent.path if org.parent else '/'}{org.pk}/"
            known[org.code] = org
        Org.objects.bulk_update(objs, ["path"], batch_size=500)
        level.clear()
        return len(objs)

    current_depth = 0
    for spec in data.orgs:  # parents before children
        depth_of[spec.code] = depth_of[spec.parent] + 1 if spec.parent else 0
        if depth_of[spec.code] != current_depth:
            created += flush()
            current_depth = depth_of[spec.code]
        if spec.code not in known:
            level.append(spec)
    created += flush()

    existing_uscc = set(
        Enterprise.objects.filter(uscc__in=[e.uscc for e in data.enterprises]).values_list(
            "uscc", flat=True
        )
    )
    enterprises = [
        Enterprise(
            name=e.name,
            uscc=e.uscc,
            unit_category=e.unit_category,
            industry=e.industry,
            size_class=e.size_class,
            county=known[e.county],
            union=known.get(e.union) if e.union else None,
            address=e.address,
            headcount=e.headcount,
        )
        for e in data.enterprises
        if e.uscc not in existing_uscc and e.county in known
    ]
    Enterprise.objects.bulk_create(enterprises, batch_size=500)

    if created or enterprises:
        city = known[heze.CITY_CODE]
        audit.record(
            actor=None,
            action="demo.load",
            object_type="org",
            object_id=city.code,
            object_org=city,
            object_repr=city.name,
            note=f"演示数据：新建组织 {created} 个、单位 {len(enterprises)} 家",
        )
    stdout.write(
        f"工会组织：新建 {created} 个，已有 {len(data.orgs) - created} 个；"
        f"单位：新建 {len(enterprises)} 家，已有 {len(data.enterprises) - len(enterprises)} 家\n"
    )


# -- the demo accounts ---------------------------------------------------------------------------

DEMO_UNION = "3717020001"  # the first grassroots union of 牡丹区: home of the clerk and member


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    org: str
    password: str
    full_name: str
    title: str = ""


# Fixed passwords, valid under the password policy; printed by ``gonghui demo``.
DEMO_ACCOUNTS: list[DemoAccount] = [
    DemoAccount("admin", "admin", "371700", "Heze2020-Admin", "王建国", "系统管理员"),
    DemoAccount("secadmin", "secadmin", "371700", "Heze2020-Anquan", "马文涛", "安全管理员"),
    DemoAccount("auditor", "auditor", "371700", "Heze2020-Shenji", "郑雪", "安全审计员"),
    DemoAccount("cadre_city", "cadre", "371700", "Heze2020-City", "李红梅", "市总工会组织部"),
    DemoAccount("cadre_mudan", "cadre", "371702", "Heze2020-Mudan", "张志强", "牡丹区总工会"),
    DemoAccount("leader", "leader", "371700", "Heze2020-Leader", "刘长青", "市总工会"),
    DemoAccount("operator", "operator", "371700", "Heze2020-12351", "陈晓燕", "12351热线"),
    DemoAccount("clerk", "clerk", DEMO_UNION, "Heze2020-Clerk", "赵丽", "工会专干"),
    DemoAccount("lawyer", "lawyer", "371702", "Heze2020-Lawyer", "孙明", "法律援助站律师"),
    DemoAccount("counsellor", "counsellor", "371700", "Heze2020-Xinli", "周静", "心理咨询师"),
    DemoAccount("member", "member", DEMO_UNION, "Heze2020-Member", "吴磊", ""),
]


def load_accounts(stdout: Output) -> None:
    """One account per role; an existing username is left untouched (password included)."""
    from gonghui.accounts.models import User
    from gonghui.accounts.services import user_create

    existing = {
        u.lower()
        for u in User.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS]).values_list(
            "username", flat=True
        )
    }
    created = 0
    for account in DEMO_ACCOUNTS:
        if account.username.lower() in existing:
            continue
        user_create(
            actor=None,
            username=account.username,
            org=account.org,
            role=account.role,
            password=account.password,
            full_name=account.full_name,
            title=account.title,
        )
        created += 1
    stdout.write(f"演示账号：新建 {created} 个，已有 {len(DEMO_ACCOUNTS) - created} 个\n")


# Modules that make accounts of their own for the demo (the hotline's county desks) list them
# here, so that ``gonghui demo`` prints them with the others: username, password and all.
ACCOUNT_SOURCES: list[Callable[[], list[DemoAccount]]] = []


def register_accounts(fn: Callable[[], list[DemoAccount]]) -> None:
    if fn not in ACCOUNT_SOURCES:
        ACCOUNT_SOURCES.append(fn)


def all_demo_accounts() -> list[DemoAccount]:
    """The demo accounts of every role, then those the modules made (registered)."""
    autodiscover_modules("demo_loaders")
    return [*DEMO_ACCOUNTS, *(a for fn in ACCOUNT_SOURCES for a in fn())]


def demo_accounts() -> list[dict[str, Any]]:
    """The rows of the printed table: username, role label, org, password — for the accounts
    that exist (a module's own accounts only once its loader has made them)."""
    from gonghui.accounts.models import User
    from gonghui.core.roles import Role
    from gonghui.orgs.models import Org

    accounts = all_demo_accounts()
    existing = set(
        User.objects.filter(username__in=[a.username for a in accounts]).values_list(
            "username", flat=True
        )
    )
    extra = {a.username for a in accounts[len(DEMO_ACCOUNTS) :]}
    accounts = [a for a in accounts if a.username not in extra or a.username in existing]
    names = dict(Org.objects.filter(code__in={a.org for a in accounts}).values_list("code", "name"))
    return [
        {
            "username": a.username,
            "role": str(Role(a.role).label),
            "org": f"{names.get(a.org, '')}（{a.org}）",
            "password": a.password,
        }
        for a in accounts
    ]


register("orgs", load_orgs)
register("accounts", load_accounts)
