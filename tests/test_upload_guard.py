"""Issue 10, finding 1 — spreadsheet bombs. Every upload path goes through one guard
(``core.uploads``): bytes, inflated size and ratio of a workbook's archive (checked before
anything parses it), rows (counted while streaming) and type (magic bytes agreeing with the
extension). Each test performs the attack and asserts the refusal and that nothing was kept."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile

from gonghui.core import uploads
from gonghui.core.models import AuditEntry, ImportJob, StoredFile
from gonghui.core.spreadsheets import UnusableFile, open_sheet
from gonghui.hotline.models import Ticket
from gonghui.members.models import Member

from .test_members_pages import ID_WANG, PHONE_WANG

ROOT = Path(__file__).resolve().parent.parent
ROW = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'
MB = 1024 * 1024


def write_bomb(path: Path, inflated_mb: int) -> Path:
    """A real XLSX-shaped zip bomb: one worksheet of ``inflated_mb`` MB of identical rows,
    deflated at level 9 (about 1/340 of that on disk), written as a stream."""
    block = ROW * (MB // len(ROW))
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b"<worksheet><sheetData>")
            for _ in range(inflated_mb):
                sheet.write(block)
            sheet.write(b"</sheetData></worksheet>")
    return path


def lie_about_sizes(path: Path) -> Path:
    """The bomb's central directory rewritten to declare every member 1,000 bytes inflated."""
    data = bytearray(path.read_bytes())
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        data[at + 24 : at + 28] = (1000).to_bytes(4, "little")
        at = data.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))
    return path


XLSX_PARTS = {
    "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.'
    'openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType='
    '"application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
    'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="'
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override '
    'PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.worksheet+xml"/></Types>',
    "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
    'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
    'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/'
    'workbook.xml"/></Relationships>',
    "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.'
    'openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/>'
    "</sheets></workbook>",
    "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns='
    '"http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>',
}


def write_xlsx(path: Path, sheet_data: str) -> Path:
    """A minimal real workbook whose one sheet holds ``sheet_data`` (calamine opens it)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, text in XLSX_PARTS.items():
            z.writestr(name, text)
        z.writestr(
            "xl/worksheets/sheet1.xml",
            '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
            f'openxmlformats.org/spreadsheetml/2006/main"><sheetData>{sheet_data}</sheetData>'
            "</worksheet>",
        )
    return path


def cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)


def write_ods(path: Path, rows: str) -> Path:
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODS_NS} '
        'office:version="1.2"><office:body><office:spreadsheet><table:table table:name="S">'
        f"{rows}</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "mimetype",
            "application/vnd.oasis.opendocument.spreadsheet",
            compress_type=zipfile.ZIP_STORED,
        )
        z.writestr("content.xml", content)
        z.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:'
            'names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path='
            '"/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"'
            "/></manifest:manifest>",
        )
    return path


def ods_cell(text: str, repeat: int = 1) -> str:
    more = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    return (
        f'<table:table-cell office:value-type="string"{more}><text:p>{text}</text:p>'
        "</table:table-cell>"
    )


@pytest.fixture(scope="module")
def bombs(tmp_path_factory: Any) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("bombs")
    big = write_bomb(folder / "big.xlsx", 1100)  # past the 1 GB default
    ratio = write_bomb(folder / "ratio.xlsx", 100)  # under 1 GB, but 340 times its size
    plain = folder / "liar.xlsx"
    with zipfile.ZipFile(plain, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"<sheetData>" + ROW * 200_000)  # 10 MB
    # two cells a sheet apart: calamine would hold the 17-billion-cell rectangle between them
    sparse = write_xlsx(
        folder / "sparse.xlsx",
        f'<row r="1">{cell("A1", "姓名")}</row><row r="1048576">{cell("XFD1048576", "x")}</row>',
    )
    # one row of 1,000 cells repeated a million times: a billion cells from 1 KB
    repeated = write_ods(
        folder / "repeated.ods",
        f"<table:table-row>{ods_cell('姓名')}</table:table-row>"
        f'<table:table-row table:number-rows-repeated="1000000">{ods_cell("王强", 1000)}'
        "</table:table-row>",
    )
    return {
        "big": big,
        "ratio": ratio,
        "liar": lie_about_sizes(plain),
        "sparse": sparse,
        "repeated": repeated,
    }


def test_bombs_are_small_on_disk_and_huge_inflated(bombs: dict[str, Path]) -> None:
    assert bombs["big"].stat().st_size < 5 * MB
    with zipfile.ZipFile(bombs["big"]) as z:
        assert sum(i.file_size for i in z.infolist()) > 1024 * MB


def _post_roster(api_client: Any, path: Path, name: str = "") -> Any:
    with path.open("rb") as handle:
        upload = SimpleUploadedFile(name or path.name, handle.read())
    return api_client.post(
        "/api/v1/members/import", {"org": "G-A-0001", "dry_run": "true", "file": upload}
    )


def _nothing_kept() -> None:
    folder = Path(django_settings.DATA_DIR) / "uploads"
    assert not folder.exists() or not any(folder.iterdir())
    assert ImportJob.objects.count() == 0
    assert Member.objects.count() == 0


def test_api_dry_run_refuses_the_bomb_before_parsing(
    people: Any, api: Any, bombs: dict[str, Path]
) -> None:
    import tracemalloc

    client = api(people.clerk_a)
    tracemalloc.start()
    try:
        response = _post_roster(client, bombs["big"])
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code == 422
    body = response.json()
    assert body["errors"] == [
        {"field": "file", "message": "文件解压后超过 1 GB，请拆分为多个文件后分别导入。"}
    ]
    assert peak < 64 * MB  # the 3 MB upload, read once, never inflated
    _nothing_kept()


def test_high_ratio_and_lying_archives_are_refused(
    people: Any, api: Any, bombs: dict[str, Path]
) -> None:
    client = api(people.clerk_a)
    ratio = _post_roster(client, bombs["ratio"]).json()["errors"][0]["message"]
    assert ratio.startswith("文件解压后是原文件的 ") and "超过 100 倍的上限" in ratio
    # the directory says 1,000 bytes; inflating as a stream finds out
    liar = _post_roster(client, bombs["liar"])
    assert liar.status_code == 422
    assert liar.json()["errors"][0]["message"].startswith("无法读取该 Excel 文件：文件已损坏")
    _nothing_kept()


def test_the_command_line_and_every_reader_refuse_the_bomb_too(bombs: dict[str, Path]) -> None:
    """``open_sheet`` is what the CLI, the worker and the hotline import read through."""
    refused = {}
    for name, bomb in bombs.items():
        with pytest.raises(UnusableFile) as caught:
            open_sheet(bomb, aliases={"name": ["姓名"], "id_number": ["身份证号"]})
        refused[name] = caught.value.detail
    assert refused["sparse"] == (
        "表格范围超过 50,000,000 个单元格（1,048,576 行 × 16,384 列），"
        "请删除多余的行和列，或拆分为多个文件后分别导入。"
    )
    assert refused["repeated"].startswith(
        "表格范围超过 50,000,000 个单元格（1,000,001 行 × 1,000 列）"
    )


def test_real_workbooks_pass_and_read(tmp_path: Path) -> None:
    """What spreadsheet programs write is not mistaken for a bomb: a LibreOffice sheet padded
    with a million empty repeated rows and a thousand empty columns; an XLSX fed to the scan
    in blocks that cut its tags anywhere counts as a whole."""
    padded = write_ods(
        tmp_path / "padded.ods",
        f"<table:table-row>{ods_cell('姓名')}{ods_cell('身份证号')}"
        '<table:table-cell table:number-columns-repeated="1022"/></table:table-row>'
        f"<table:table-row>{ods_cell('王强')}{ods_cell(ID_WANG)}"
        '<table:table-cell table:number-columns-repeated="1022"/></table:table-row>'
        '<table:table-row table:number-rows-repeated="1048574">'
        '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>',
    )
    sheet = open_sheet(padded, aliases={"name": ["姓名"], "id_number": ["身份证号"]})
    assert [cells[:2] for _n, cells in sheet.rows] == [["王强", ID_WANG]]
    rows = "".join(
        f'<row r="{n}">{cell(f"A{n}", "王强")}{cell(f"C{n}", ID_WANG)}</row>' for n in range(1, 301)
    )
    xlsx = write_xlsx(tmp_path / "ok.xlsx", rows)
    uploads.check_archive(xlsx)
    with zipfile.ZipFile(xlsx) as z:
        data = z.read("xl/worksheets/sheet1.xml")
    limits = uploads.Limits.current()
    whole, pieces = uploads.XlsxScan(limits), uploads.XlsxScan(limits)
    whole.feed(data)
    whole.close()
    for at in range(0, len(data), 7):
        pieces.feed(data[at : at + 7])
    pieces.close()
    seen = (whole.rows, whole.max_row, whole.max_col, whole.cells)
    assert seen == (pieces.rows, pieces.max_row, pieces.max_col, pieces.cells) == (300, 300, 3, 600)


def test_peak_memory_stays_bounded_while_refusing_bombs(
    bombs: dict[str, Path], tmp_path: Path
) -> None:
    """In a fresh process (so ``ru_maxrss`` is this work's own): open each bomb the way the
    importers do. Without the guard calamine would hold the 1.1 GB sheet's cells (GBs)."""
    script = (
        "import json, resource, sys, django\n"
        "django.setup()\n"
        "from gonghui.core.spreadsheets import UnusableFile, open_sheet\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "refused = []\n"
        "for path in sys.argv[1:]:\n"
        "    try:\n"
        "        open_sheet(path, aliases={'name': ['姓名'], 'id': ['身份证号']})\n"
        "    except UnusableFile as exc:\n"
        "        refused.append(exc.detail)\n"
        "after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print(json.dumps({'before': before, 'after': after, 'refused': refused}))\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "gonghui.settings",
        "GONGHUI_DATA_DIR": str(tmp_path),
    }
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script, *map(str, bombs.values())],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
        check=True,
    )
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(out["refused"]) == 5
    # ru_maxrss is in KiB on Linux: the refusals cost less than 64 MB over the start
    assert out["after"] - out["before"] < 64 * 1024, out


def test_an_oversize_csv_is_refused_on_every_path_before_it_is_kept(
    people: Any, api: Any, login: Any, settings: Any
) -> None:
    settings.UPLOAD_MAX_BYTES = 1 * MB
    line = f"王强,{ID_WANG},{PHONE_WANG},2015-03-01\n".encode()
    body = "姓名,身份证号码,手机,入会时间\n".encode() + line * (MB // len(line) + 10)
    message = "文件超过 1 MB 的大小上限，请拆分为多个文件后分别导入。"

    response = api(people.clerk_a).post(
        "/api/v1/members/import",
        {"org": "G-A-0001", "dry_run": "true", "file": SimpleUploadedFile("名册.csv", body)},
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "file", "message": message}]
    page = login(people.clerk_a).post(
        "/members/import/", {"org": "G-A-0001", "file": SimpleUploadedFile("名册.csv", body)}
    )
    assert message in page.content.decode()
    hotline = api(people.operator).post(
        "/api/v1/hotline/tickets/import", {"file": SimpleUploadedFile("转办单.csv", body)}
    )
    assert hotline.status_code == 422
    assert hotline.json()["errors"] == [{"field": "file", "message": message}]
    _nothing_kept()
    assert Ticket.objects.count() == 0


def test_too_many_rows_are_refused_while_streaming(
    people: Any, api: Any, login: Any, settings: Any, tmp_path: Path
) -> None:
    settings.UPLOAD_MAX_ROWS = 5
    rows = "".join(f"王强{i},{ID_WANG},{PHONE_WANG},2015-03-01\n" for i in range(6))
    body = ("姓名,身份证号码,手机,入会时间\n" + rows).encode()
    message = "文件超过 5 行的上限，请拆分为多个文件后分别导入。"
    response = api(people.clerk_a).post(
        "/api/v1/members/import", {"org": "G-A-0001", "file": SimpleUploadedFile("a.csv", body)}
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "file", "message": message}]
    hotline = login(people.operator).post(
        "/hotline/import/", {"org": "371700", "file": SimpleUploadedFile("a.csv", body)}
    )
    assert message in hotline.content.decode()
    assert Member.objects.count() == 0 and Ticket.objects.count() == 0
    # five rows are fine
    five = ("姓名,身份证号码,手机,入会时间\n" + rows.split("\n", 1)[1]).encode()
    ok = api(people.clerk_a).post(
        "/api/v1/members/import", {"org": "G-A-0001", "file": SimpleUploadedFile("a.csv", five)}
    )
    assert ok.status_code == 200 and ok.json()["rows"] == 5
    # an XLSX is counted in its archive, before calamine reads it
    xlsx = tmp_path / "rows.xlsx"
    with zipfile.ZipFile(xlsx, "w") as z:
        z.writestr("xl/worksheets/sheet1.xml", b"<sheetData>" + b'<row r="1"/>' * 7)
    with pytest.raises(UnusableFile) as caught:
        uploads.check_archive(xlsx)
    assert caught.value.detail == message


def test_type_must_match_the_extension(people: Any, api: Any) -> None:
    client = api(people.clerk_a)

    def refused(name: str, content: bytes) -> str:
        response = client.post(
            "/api/v1/members/import",
            {"org": "G-A-0001", "file": SimpleUploadedFile(name, content)},
        )
        assert response.status_code == 422, name
        return str(response.json()["errors"][0]["message"])

    csv_text = f"姓名,身份证号码\n王强,{ID_WANG}\n".encode()
    assert refused("名册.xlsx", csv_text).startswith("文件内容与扩展名 .xlsx 不符")
    assert refused("名册.csv", b"PK\x03\x04" + b"\x00" * 40).startswith("文件内容与扩展名 .csv")
    assert refused("名册.exe", b"MZ\x90\x00").startswith("不支持的文件类型（.exe），请上传 ")
    assert refused("名册", csv_text).startswith("不支持的文件类型（无扩展名）")
    _nothing_kept()


def test_large_files_go_to_the_worker_even_for_a_dry_run(
    people: Any, api: Any, settings: Any
) -> None:
    settings.UPLOAD_INLINE_BYTES = 64
    body = f"姓名,身份证号码,手机,入会时间\n王强,{ID_WANG},{PHONE_WANG},2015-03-01\n".encode()
    response = api(people.clerk_a).post(
        "/api/v1/members/import",
        {"org": "G-A-0001", "dry_run": "true", "file": SimpleUploadedFile("a.csv", body)},
    )
    assert response.status_code == 202
    job = ImportJob.objects.get()
    assert (job.dry_run, job.status, job.keep_upload) == (True, "pending", False)
    assert Path(job.file_path).exists()


def test_a_large_transfer_sheet_goes_to_the_worker(
    people: Any, api: Any, login: Any, settings: Any
) -> None:
    from gonghui.hotline.importing import run_import_job

    settings.UPLOAD_INLINE_BYTES = 64
    header = "工单编号,来电时间,来电人,联系电话,诉求类型,问题分类,诉求内容\n"
    row = "SD12351-2020-0003{n:02d},2020-06-01 09:00,王强,13853012345,求决类,拖欠工资,拖欠工资\n"
    body = (header + "".join(row.format(n=n) for n in range(3))).encode()
    client = api(people.operator)
    response = client.post(
        "/api/v1/hotline/tickets/import", {"file": SimpleUploadedFile("转办单.csv", body)}
    )
    assert response.status_code == 202
    queued = response.json()
    assert (queued["status"], queued["org"], queued["rows"]) == ("pending", "371700", 0)
    job = ImportJob.objects.get(pk=queued["id"])
    assert Path(job.file_path).exists() and Ticket.objects.count() == 0
    assert run_import_job(job.pk)["created"] == 3
    assert run_import_job(job.pk)["skipped"]  # twice: nothing more
    done = client.get(f"/api/v1/hotline/tickets/import/{job.pk}").json()
    assert (done["status"], done["rows"], done["created"]) == ("done", 3, 3)
    assert not Path(job.file_path).exists() and Ticket.objects.count() == 3
    assert api(people.cadre_b).get(f"/api/v1/hotline/tickets/import/{job.pk}").status_code == 404
    # the page: the run waits for the worker, the page polls, then shows the counts
    page = login(people.operator)
    again = body.replace(b"SD12351-2020-0003", b"SD12351-2020-0004")
    response = page.post(
        "/hotline/import/", {"org": "371700", "file": SimpleUploadedFile("b.csv", again)}
    )
    job = ImportJob.objects.get(file_name="b.csv")
    assert response["Location"] == f"/hotline/import/{job.pk}/"
    html = page.get(response["Location"]).content.decode()
    assert 'data-status="pending"' in html and 'hx-trigger="every 2s"' in html
    run_import_job(job.pk)
    html = page.get(response["Location"]).content.decode()
    assert "导入完成" in html and 'data-testid="created">3<' in html


def test_defaults_take_a_province_roster() -> None:
    """A million-row roster must still import (``benchmarks/import_members.py``)."""
    assert django_settings.UPLOAD_MAX_ROWS >= 1_000_000
    assert django_settings.UPLOAD_MAX_BYTES >= 200 * MB  # a million rows of CSV: ~120 MB
    assert django_settings.UPLOAD_MAX_INFLATED_BYTES >= 1024 * MB


def test_stored_files_go_through_the_guard_and_are_kept_private(people: Any, tree: Any) -> None:
    pdf = SimpleUploadedFile("证据.pdf", b"%PDF-1.7\n" + b"x" * 100)
    item = uploads.store(
        actor=people.cadre_a, org=tree.county_a, upload=pdf, purpose="legal", retain_days=30
    )
    path = Path(django_settings.DATA_DIR) / item.path
    assert path.read_bytes().startswith(b"%PDF-1.7")
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
    import hashlib

    assert item.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (item.size, item.kind, item.org) == (109, "pdf", tree.county_a)
    assert AuditEntry.objects.filter(action="file.store", object_id=str(item.pk)).count() == 1
    # an executable named .pdf is refused and nothing kept
    with pytest.raises(uploads.UploadRefused):
        uploads.store(
            actor=people.cadre_a,
            org=tree.county_a,
            upload=SimpleUploadedFile("证据.pdf", b"MZ\x90\x00"),
            purpose="legal",
            retain_days=30,
        )
    assert StoredFile.objects.count() == 1
    assert len(list(path.parent.iterdir())) == 1


def test_a_body_past_the_limit_is_refused_before_it_is_read(
    people: Any, api: Any, login: Any, settings: Any
) -> None:
    settings.UPLOAD_MAX_BYTES = 1 * MB
    body = b"x" * (2 * MB)
    message = "文件超过 1 MB 的大小上限，请拆分为多个文件后分别导入。"
    response = api(people.clerk_a).post(
        "/api/v1/members/import",
        {"org": "G-A-0001", "file": SimpleUploadedFile("名册.csv", body)},
    )
    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"] == [{"field": "file", "message": message}]
    page = login(people.operator).post(
        "/hotline/import/", {"org": "371700", "file": SimpleUploadedFile("a.csv", body)}
    )
    assert page.status_code == 413 and page.content.decode() == message
    _nothing_kept()
