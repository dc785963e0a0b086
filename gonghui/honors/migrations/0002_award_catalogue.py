"""The award catalogue every installation starts with (editable afterwards)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

CATALOGUE = [
    ("wuyi_award", "菏泽市五一劳动奖状", "collective", "municipal", "授予先进集体"),
    ("wuyi_medal", "菏泽市五一劳动奖章", "individual", "municipal", "授予先进个人"),
    ("pioneer", "菏泽市工人先锋号", "team", "municipal", "授予先进班组"),
    ("craftsman", "菏泽工匠", "individual", "municipal", "推荐、网络投票、专家评审、实地考察、公示、命名"),
    ("qilu_craftsman", "齐鲁大工匠", "individual", "provincial", "由市总工会择优向省总工会推荐"),
    ("migrant_star", "农民工之星", "individual", "municipal", "表彰优秀农民工"),
]


def add(apps: Any, schema_editor: Any) -> None:
    Award = apps.get_model("honors", "Award")
    for code, name, kind, level, description in CATALOGUE:
        Award.objects.get_or_create(
            code=code,
            defaults={"name": name, "kind": kind, "level": level, "description": description},
        )


class Migration(migrations.Migration):
    dependencies = [("honors", "0001_honours_rounds_votes_competitions")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
