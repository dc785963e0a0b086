"""Shared set-up of the honours tests: members and enterprises of the two counties, a city
round open for nominations."""

from __future__ import annotations

from datetime import date
from typing import Any

from gonghui.honors import services
from gonghui.honors.models import Award, Round
from gonghui.members.models import Member
from gonghui.members.services import member_create
from gonghui.orgs.services import enterprise_save

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"


def citizen_id(region: str, birth: str, seq: int, female: bool = False) -> str:
    """A valid 18-digit ID (GB 11643): the sex digit odd for men, even for women."""
    order = f"{seq % 100:02d}{(seq // 100 % 5) * 2 + (0 if female else 1)}"
    body = f"{region}{birth}{order}"
    return body + CHECK[sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11]


SURNAMES = "张王李刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静磊强军洋勇艳杰涛明超秀霞平刚桂"


def name_for(seq: int) -> str:
    """A distinct, valid Chinese name for each small number."""
    return SURNAMES[seq % 20] + GIVEN[seq // 20 % 20] + GIVEN[(seq * 7 + 3) % 20]


def person(
    people: Any, org: Any, name: str, seq: int, *, female: bool = False, migrant: bool = False
) -> Member:
    data: dict[str, Any] = {
        "name": name if len(name) >= 2 and not any(c.isdigit() for c in name) else name_for(seq),
        "id_number": citizen_id("371702", "19850101", seq, female),
        "joined_on": "2019-01-01",
    }
    if migrant:
        data["worker_type"] = "migrant"
    return member_create(actor=people.admin, org=org, data=data)


def firm(people: Any, county: str, union: str | None, name: str) -> Any:
    return enterprise_save(actor=people.admin, county=county, union=union, name=name)


def open_round(
    people: Any,
    tree: Any,
    code: str = "wuyi_medal",
    places: int = 10,
    allot: bool = True,
    **extra: Any,
) -> Round:
    """A city round open for nominations; by default half its places to each county."""
    round = services.round_create(
        actor=people.city_cadre,
        org=tree.city,
        award=Award.objects.get(code=code),
        title=f"2020年{code}",
        year=2020,
        places=places,
        opens_on=date(2020, 3, 1),
        closes_on=date(2020, 3, 31),
        **extra,
    )
    if allot:
        for county in (tree.county_a, tree.county_b):
            services.round_allot(
                actor=people.city_cadre, round=round, org=county, places=places // 2
            )
    return services.round_step(actor=people.city_cadre, round=round, step="open")


def selected_round(people: Any, tree: Any, n: int = 2, **extra: Any) -> tuple[Round, list[Any]]:
    """A round closed for nominations with ``n`` selected candidates of grassroots A."""
    round = open_round(people, tree, **extra)
    noms = []
    for i in range(n):
        nom = services.nomination_create(
            actor=people.clerk_a,
            round=round,
            member=person(people, tree.union_a, f"候选{i}", 10 + i),
        )
        noms.append(services.nomination_select(actor=people.cadre_a, nomination=nom))
    services.round_step(actor=people.city_cadre, round=round, step="close")
    return round, noms
