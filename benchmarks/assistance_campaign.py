"""Benchmark: a condolence campaign of 100,000 recipients, from the sheet to reconciliation.

Data: the city federation, two county federations and 40 grassroots unions; a campaign of
the city (疫情防控慰问, 2020) and, before it, a conflicting campaign of the same kind and year
holding ``--conflicts`` of the same people (default 5,000). The recipient sheet (XLSX, the
columns a union keeps: 姓名, 身份证号, 单位代码, 所在团队, 开户行, 账号, 金额) has ``--recipients``
rows (default 100,000), about 1 % of them bad (a negative or non-numeric amount, a wrong
check character, a short account) and one in 500 a person already on the sheet.

Measured in one process per database, each stage on its own (CPU seconds of this process,
wall seconds, and the growth of the process's peak memory; the absolute peak at the end):

1. **import** — ``assistance.recipients_import``: read and check every row, duplicates in
   the sheet, in the campaign and in the conflicting campaign, encrypt, insert;
2. **duplicate check** — the same sheet again: every row found in the campaign, nothing
   written;
3. **bulk approval** — ``recipients_approve`` (one UPDATE), then the payment batch's
   approval ``payments.approve`` (one UPDATE freezing every line); target ≤ 10 s;
4. **payment batch** — ``campaign_pay``: the approved recipients as the lines of one batch
   through ``payments.add_lines`` (set-based), submitted;
5. **bank file** — ``payments.export_bank_file`` (XLSX, whole accounts);
6. **confirmations** — the bank's sheet read back (``payments.import_confirmations``: 1 %
   failed with a reason, every row matched by 序号 and account);
7. **reconciliation** — ``payments_sync`` (paid on the bank's date, failed with its reason),
   then the failed re-issued in a new batch (``recipients_reissue`` + ``campaign_pay``).

Baseline, in a fresh database of ``--sample`` recipients (default 1,000) extrapolated to
``--recipients``: the per-line paths the bulk ones replace — ``payments.add_line`` once per
recipient (a transaction, a duplicate look-up and an audit row each), and approval as a
request per recipient would make it (one UPDATE and one audit row per recipient).

Usage::

    python benchmarks/assistance_campaign.py [--recipients 100000] [--sample 1000]
        [--conflicts 5000]
        [--postgres postgres://postgres@127.0.0.1:5432/bench_assistance]
        [--skip-postgres | --skip-sqlite]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from common import child_env, run, run_step  # noqa: E402

FIELD_KEY = "YXNzaXN0YW5jZSBiZW5jaG1hcmsgZmllbGQga2V5ITI="  # 32 bytes, base64: benchmark only
HEADER = ["姓名", "身份证号", "单位代码", "所在团队", "开户行", "账号", "金额"]
UNIONS = 40


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cid(n: int) -> str:
    from gonghui.core.identifiers import citizen_id_check_char

    born = date(1960, 1, 1) + timedelta(days=n // 400)
    body = f"371702{born:%Y%m%d}{n % 400 + 100:03d}"
    return body + citizen_id_check_char(body)


def row(n: int) -> list[str]:
    """Recipient ``n``'s row, bad in about 1 % of rows (four kinds of mistake)."""
    amount = "2000" if n % 3 else "600"
    number, account = cid(n), f"6217{n:012d}"
    if n % 400 == 7:
        amount = "-600"
    elif n % 400 == 107:
        amount = "六百"
    elif n % 400 == 207:
        number = number[:-1] + ("0" if number[-1] != "0" else "1")
    elif n % 400 == 307:
        account = "62170"
    return [
        f"职工{n}",
        number,
        f"G-{n % UNIONS:04d}",
        f"第{n % 97 + 1}人民医院医疗队",
        "中国农业银行菏泽分行",
        account,
        amount,
    ]


def write_sheet(path: Path, recipients: int) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("名单")
    sheet.write_row(0, 0, HEADER)
    out = 1
    for n in range(1, recipients + 1):
        sheet.write_row(out, 0, row(n))
        out += 1
        if n % 500 == 0:  # the same person again further down the sheet
            sheet.write_row(out, 0, row(n - 1))
            out += 1
    book.close()


def _setup(recipients: int, conflicts: int) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from gonghui.accounts.models import User
    from gonghui.assistance import services
    from gonghui.orgs.services import org_insert

    call_command("migrate", verbosity=0)
    city = org_insert(
        code="371700", parent=None, name="菏泽市总工会", kind="city", region_code="371700"
    )
    counties = [
        org_insert(code="371702", parent=city, name="牡丹区总工会", kind="county"),
        org_insert(code="371721", parent=city, name="曹县总工会", kind="county"),
    ]
    for n in range(UNIONS):
        org_insert(
            code=f"G-{n:04d}", parent=counties[n % 2], name=f"第{n}医院工会", kind="grassroots"
        )
    maker = User.objects.create(username="maker", role="cadre", org=city, full_name="制单人")
    checker = User.objects.create(username="checker", role="cadre", org=city, full_name="审批人")
    earlier = services.campaign_create(
        actor=maker, org=city, title="春节前慰问医务人员", kind="condolence", year=2020
    )
    services.recipients_add(
        actor=maker,
        campaign=earlier,
        rows=[
            (
                n + 1,
                dict(
                    zip(
                        ("name", "id_number", "org", "team", "bank_name", "bank_account", "amount"),
                        row(n),
                        strict=True,
                    )
                ),
                [],
            )  # fmt: skip
            for n in range(1, conflicts + 1)
            if n % 400 not in (7, 107, 207, 307)
        ],
    )
    campaign = services.campaign_create(
        actor=maker, org=city, title="疫情防控一线医务人员慰问", kind="condolence", year=2020
    )
    return {"maker": maker, "checker": checker, "campaign": campaign}


class Stages:
    """Each stage's CPU and wall seconds and the growth of the peak memory."""

    def __init__(self) -> None:
        self.figures: dict[str, dict[str, float]] = {}

    def measure(self, name: str, fn: Any) -> Any:
        before = _rss_mb()
        cpu, wall = time.process_time(), time.perf_counter()
        out = fn()
        self.figures[name] = {
            "cpu_s": round(time.process_time() - cpu, 2),
            "wall_s": round(time.perf_counter() - wall, 2),
            "peak_growth_mb": round(_rss_mb() - before, 1),
        }
        return out


def step_bulk(args: argparse.Namespace) -> dict[str, Any]:
    ctx = _setup(args.recipients, args.conflicts)
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gonghui.assistance import services
    from gonghui.assistance.models import Recipient, RecipientStatus
    from gonghui.core.spreadsheets import iter_raw_rows
    from gonghui.payments import services as payments

    maker, checker, campaign = ctx["maker"], ctx["checker"], ctx["campaign"]
    sheet = Path(os.environ["GONGHUI_DATA_DIR"]) / "recipients.xlsx"
    write_sheet(sheet, args.recipients)
    start_rss = _rss_mb()
    stages = Stages()
    out: dict[str, Any] = {}

    def do_import() -> Any:
        return services.recipients_import(actor=maker, campaign=campaign, path=sheet)

    first = stages.measure("1 import", do_import)
    out["import"] = first.as_dict()
    again = stages.measure("2 duplicate check (same sheet again)", do_import)
    out["again"] = again.as_dict()
    approved = stages.measure(
        "3a bulk approval of the recipients",
        lambda: services.recipients_approve(actor=maker, campaign=campaign),
    )
    batch = stages.measure(
        "4 payment batch (add_lines, submit)",
        lambda: services.campaign_pay(actor=maker, campaign=campaign),
    )
    stages.measure("3b bulk approval of the batch", lambda: payments.approve(batch, by=checker))
    bank = Path(os.environ["GONGHUI_DATA_DIR"]) / "bank.xlsx"
    content = stages.measure(
        "5 bank file export", lambda: payments.export_bank_file(batch, by=maker)
    )
    bank.write_bytes(content)
    # the bank's answer: its own file with a result column, 1 % failed (not measured)
    import xlsxwriter

    answer = Path(os.environ["GONGHUI_DATA_DIR"]) / "answer.xlsx"
    book = xlsxwriter.Workbook(str(answer), {"constant_memory": True})
    ws = book.add_worksheet("回单")
    rows = iter_raw_rows(bank)
    ws.write_row(0, 0, ["序号", "户名", "账号", "金额", "处理结果", "失败原因", "交易日期"])
    next(rows)
    for i, cells in enumerate(rows, start=1):
        failed = i % 100 == 0
        ws.write_row(
            i,
            0,
            [
                str(int(float(cells[0]))),
                cells[1],
                cells[2],
                cells[4],
                "失败" if failed else "成功",
                "账户已冻结" if failed else "",
                "2020-03-01",
            ],
        )
    book.close()

    def confirm() -> Any:
        with answer.open("rb") as handle:
            upload = SimpleUploadedFile("回单.xlsx", handle.read())
        return payments.import_confirmations(batch, upload, by=maker)

    confirmed = stages.measure("6 confirmation import", confirm)

    def reconcile() -> Any:
        synced = services.payments_sync(actor=maker, campaign=campaign)
        services.recipients_reissue(actor=maker, campaign=campaign)
        second = services.campaign_pay(actor=maker, campaign=campaign)
        return synced, second

    synced, second = stages.measure("7 reconciliation and reissue", reconcile)
    paid = Recipient.objects.filter(campaign=campaign, status=RecipientStatus.PAID).count()
    out.update(
        recipients=args.recipients,
        approved=approved,
        lines=batch.lines.count(),
        confirmed={k: v for k, v in confirmed.items() if k != "problems"},
        synced=synced,
        reissued=second.lines.count() if second is not None else 0,
        paid=paid,
        stages=stages.figures,
        total_cpu_s=round(sum(f["cpu_s"] for f in stages.figures.values()), 1),
        peak_mb=round(_rss_mb(), 1),
        peak_growth_mb=round(_rss_mb() - start_rss, 1),
    )
    return out


def step_baseline(args: argparse.Namespace) -> dict[str, Any]:
    """The per-line paths on ``--sample`` recipients, extrapolated to ``--recipients``."""
    ctx = _setup(args.sample, 0)
    from django.db import transaction

    from gonghui.assistance import services
    from gonghui.assistance.models import Recipient, RecipientStatus
    from gonghui.core import audit
    from gonghui.payments import services as payments

    maker, campaign = ctx["maker"], ctx["campaign"]
    keys = ("name", "id_number", "org", "team", "bank_name", "bank_account", "amount")
    services.recipients_add(
        actor=maker,
        campaign=campaign,
        rows=[
            (n + 1, dict(zip(keys, row(n), strict=True)), [])
            for n in range(1, args.sample + 1)
            if n % 400 not in (7, 107, 207, 307)
        ],
    )
    recipients = list(Recipient.objects.filter(campaign=campaign).order_by("id"))
    scale = args.recipients / len(recipients)
    stages = Stages()

    def approve_each() -> None:
        for r in recipients:  # what one request per recipient costs
            with transaction.atomic():
                Recipient.objects.filter(pk=r.pk, status=RecipientStatus.LISTED).update(
                    status=RecipientStatus.APPROVED
                )
                audit.record(
                    actor=maker,
                    action="assistance.recipients_approve",
                    object_type="campaign",
                    object_id=campaign.pk,
                    object_org=campaign.org,
                    object_repr=campaign.title,
                    changes={"counts": {"before": None, "after": 1}},
                )

    def add_each() -> None:
        batch = payments.create_batch(
            org=campaign.org, source="assistance", purpose="慰问", title="逐行", by=maker
        )
        for r in recipients:
            payments.add_line(
                batch, reference=services.campaign_reference(campaign), amount=r.amount,
                payee_name=r.name, id_number=r.id_number, bank_name=r.bank_name,
                bank_account=r.bank_account, by=maker,
            )  # fmt: skip

    stages.measure("3a approval, one request per recipient", approve_each)
    stages.measure("4 payment batch, add_line per recipient", add_each)
    return {
        "measured": len(recipients),
        "stages": {
            name: {
                "cpu_s": round(f["cpu_s"] * scale, 1),
                "wall_s": round(f["wall_s"] * scale, 1),
                "per_line_ms": round(f["cpu_s"] / len(recipients) * 1000, 2),
            }
            for name, f in stages.figures.items()
        },
    }


def bench(label: str, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    options = [
        "--recipients", str(args.recipients), "--sample", str(args.sample),
        "--conflicts", str(args.conflicts),
    ]  # fmt: skip

    if label == "sqlite" and args.skip_sqlite:
        return {}

    def env(step: str) -> dict[str, str]:  # a fresh database for each step
        return child_env(label, work / step, field_key=FIELD_KEY, postgres=args.postgres)

    baseline = run_step(__file__, "baseline", env("baseline"), options)
    bulk = run_step(__file__, "bulk", env("bulk"), options)
    print(f"--- {label} (load average {os.getloadavg()[0]:.1f}), {args.recipients} recipients ---")
    print(
        "import: "
        + "  ".join(f"{k}={v}" for k, v in bulk["import"].items())
        + " | again: "
        + "  ".join(f"{k}={v}" for k, v in bulk["again"].items())
    )
    print(
        f"approved={bulk['approved']} lines={bulk['lines']} confirmed={bulk['confirmed']} "
        f"synced={bulk['synced']} reissued={bulk['reissued']} paid={bulk['paid']}"
    )
    for name, f in bulk["stages"].items():
        print(f"  bulk     {name:44} " + "  ".join(f"{k}={v}" for k, v in f.items()))
    print(
        f"  bulk     total CPU {bulk['total_cpu_s']} s, peak memory {bulk['peak_mb']} MB "
        f"(+{bulk['peak_growth_mb']} MB over the set-up)"
    )
    for name, f in baseline["stages"].items():
        print(
            f"  baseline {name:44} "
            + "  ".join(f"{k}={v}" for k, v in f.items())
            + f"  (measured on {baseline['measured']}, extrapolated)"
        )
    return {"bulk": bulk, "baseline": baseline}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=1000)
    parser.add_argument("--conflicts", type=int, default=5000)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/bench_assistance")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--child", default="")
    args = parser.parse_args()
    run(args, {"bulk": step_bulk, "baseline": step_baseline}, bench, name="assistance")


if __name__ == "__main__":
    main()
