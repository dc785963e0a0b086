"""The transfer-sheet import page: the template (which imports as it is), a run recorded with
its counts and rejected rows (listed and downloadable), the same file twice creating nothing
the second time, the upload not kept, CSRF, and everyone outside the receiving org refused."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from gonghui.core.models import ImportJob
from gonghui.core.spreadsheets import iter_raw_rows
from gonghui.hotline.models import Ticket

from .test_hotline_import import HEADER, _xlsx

pytestmark = pytest.mark.django_db


def upload(client: Any, path: Path, org: str = "371700") -> Any:
    with path.open("rb") as handle:
        return client.post("/hotline/import/", {"org": org, "file": handle})


def test_operator_imports_a_sheet_sees_the_result_and_downloads_the_rejected_rows(
    people: Any, login: Any, tmp_path: Path, settings: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    client = login(people.operator)
    page = client.get("/hotline/import/").content.decode()
    # the receiving org is a picker showing the user's own org by name
    assert 'name="org"' in page and 'value="菏泽市总工会"' in page
    response = upload(client, _xlsx(tmp_path))
    assert response.status_code == 302
    job = ImportJob.objects.get(kind="hotline")
    assert response["Location"] == f"/hotline/import/{job.pk}/"
    assert (job.total, job.created, job.unchanged, job.rejected) == (8, 2, 0, 6)
    assert Ticket.objects.count() == 2
    html = client.get(response["Location"]).content.decode()
    assert re.search(r'data-testid="created">2<', html)
    assert re.search(r'data-testid="rejected">6<', html)
    rejected = html.split('data-testid="rejected-rows"')[1]
    assert "SD12351-2020-000203" in rejected and "类别" in rejected
    assert "与第 3 行重复" in rejected
    # the rejected rows as a file: the original columns, row number and reason
    errors = client.get(f"/hotline/import/{job.pk}/rejected.xlsx")
    assert errors.status_code == 200 and "no-store" in errors["Cache-Control"]
    saved = tmp_path / "rejected.xlsx"
    saved.write_bytes(b"".join(errors.streaming_content))
    rows = list(iter_raw_rows(saved))
    assert rows[0][: len(HEADER)] == HEADER and rows[0][-2:] == ["原行号", "错误原因"]
    assert len(rows) == 7
    # the upload is not kept: only the rejected rows' file stays, the owner's alone
    assert not any((Path(settings.DATA_DIR) / "uploads").iterdir())
    kept = sorted(p.name for p in (Path(settings.DATA_DIR) / "results").iterdir())
    assert kept == [Path(job.errors_file).name]
    assert Path(job.errors_file).stat().st_mode & 0o777 == 0o600
    assert job.file_path == ""
    # the same file again: nothing new, the known numbers counted as already filed
    upload(client, _xlsx(tmp_path))
    again = ImportJob.objects.filter(kind="hotline").first()
    assert again is not None and (again.created, again.unchanged) == (0, 2)
    assert Ticket.objects.count() == 2
    listing = client.get("/hotline/import/").content.decode()
    assert listing.count(f"{_xlsx(tmp_path).name}") == 2


def test_the_template_imports_as_it_is(people: Any, login: Any, tmp_path: Path) -> None:
    client = login(people.operator)
    response = client.get("/hotline/import/template.xlsx")
    assert response.status_code == 200
    path = tmp_path / "template.xlsx"
    path.write_bytes(response.content)
    header, example = list(iter_raw_rows(path))
    assert header[0] == "工单编号" and "诉求内容" in header
    upload(client, path)
    job = ImportJob.objects.get(kind="hotline")
    assert (job.created, job.rejected) == (1, 0)
    ticket = Ticket.objects.get(external_no=example[0])
    assert (ticket.category, ticket.topic.code[:2]) == ("demand", "01")


def test_an_unusable_file_is_an_error_on_the_file_and_records_nothing(
    people: Any, login: Any
) -> None:
    client = login(people.operator)
    junk = SimpleUploadedFile("转办单.xlsx", b"not a spreadsheet at all")
    response = client.post("/hotline/import/", {"org": "371700", "file": junk})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="field-file"' in html and "has-error" in html
    assert not ImportJob.objects.exists() and not Ticket.objects.exists()


def test_an_org_outside_the_scope_is_an_error_on_the_org(
    people: Any, login: Any, tmp_path: Path
) -> None:
    response = upload(login(people.cadre_b), _xlsx(tmp_path), org="371702")
    assert response.status_code == 200
    assert "未找到“371702”" in response.content.decode()
    assert not ImportJob.objects.exists() and not Ticket.objects.exists()


def test_the_import_page_refuses_a_post_without_the_csrf_token(people: Any, tmp_path: Path) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.operator)
    response = upload(client, _xlsx(tmp_path))
    assert response.status_code == 403
    assert not Ticket.objects.exists()


def test_a_run_is_seen_only_by_its_receiving_org(people: Any, login: Any, tmp_path: Path) -> None:
    upload(login(people.operator), _xlsx(tmp_path))
    job = ImportJob.objects.get(kind="hotline")
    for who in (people.cadre_a, people.cadre_b, people.clerk_a):
        client = login(who)
        assert client.get(f"/hotline/import/{job.pk}/").status_code == 404
        assert client.get(f"/hotline/import/{job.pk}/rejected.xlsx").status_code == 404
        assert f"/hotline/import/{job.pk}/" not in client.get("/hotline/import/").content.decode()
    assert login(people.city_cadre).get(f"/hotline/import/{job.pk}/").status_code == 200


@pytest.mark.parametrize("who", ["member_a", "lawyer_a", "clerk_a", "leader"])
@pytest.mark.parametrize("url", ["/hotline/import/", "/hotline/import/template.xlsx"])
def test_the_import_pages_are_refused_to_those_who_do_not_file_orders(
    people: Any, login: Any, who: str, url: str
) -> None:
    assert login(getattr(people, who)).get(url).status_code in (403, 404)


def test_the_queue_links_the_import_for_those_who_file_orders(people: Any, login: Any) -> None:
    assert (
        'data-testid="import-transfers"' in login(people.operator).get("/hotline/").content.decode()
    )
    clerk = login(people.clerk_a).get("/hotline/").content.decode()
    assert 'data-testid="import-transfers"' not in clerk
