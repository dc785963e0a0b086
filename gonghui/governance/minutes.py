"""The documents of a meeting, from what happened: the minutes (会议纪要) drafted from the
records, the minutes and the election report as PDF, and numbered paper ballots."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from gonghui.core.pdf import Column, Document

from .models import ChangeKind, Election, ItemKind, Meeting, Round, RoundStatus
from .services import attendance


def _names(values: list[str]) -> str:
    return "、".join(values) or "—"


def draft(meeting: Meeting) -> str:
    """The minutes' text, one paragraph per line: the meeting, attendance, each agenda item
    and its outcome, each election's result and the changes of seats."""
    entitled, present = attendance(meeting)
    lines = [
        _("%(day)s，%(title)s在%(place)s召开。会议应到 %(e)d 人，实到 %(p)d 人%(chair)s。")
        % {
            "day": f"{meeting.held_on.year}年{meeting.held_on.month}月{meeting.held_on.day}日",
            "title": meeting.title,
            "place": meeting.place or meeting.org.name,
            "e": entitled,
            "p": present,
            "chair": ("，" + _("%(n)s主持会议") % {"n": meeting.presided_by})
            if meeting.presided_by
            else "",
        }
    ]
    if meeting.tellers or meeting.scrutineers:
        lines.append(
            _("会议通过计票人：%(t)s；监票人：%(s)s。")
            % {"t": _names(meeting.tellers), "s": _names(meeting.scrutineers)}
        )
    for item in meeting.agenda.all():
        if item.kind == ItemKind.MOTION and item.passed is not None:
            lines.append(
                _("%(n)d. %(title)s：赞成 %(f)d 票，反对 %(a)d 票，弃权 %(b)d 票，%(r)s。")
                % {
                    "n": item.order,
                    "title": item.title,
                    "f": item.votes_for or 0,
                    "a": item.votes_against or 0,
                    "b": item.votes_abstain or 0,
                    "r": _("通过") if item.passed else _("未通过"),
                }
            )
        elif item.kind != ItemKind.ELECTION:
            lines.append(f"{item.order}. {item.title}。")
    for election in meeting.elections.all():
        elected = [
            c.name for c in election.candidates.filter(elected=True).order_by("-votes", "order")
        ]
        lines.append(
            _("%(title)s（%(method)s，应选 %(s)d 名）：%(who)s当选。")
            % {
                "title": election.title,
                "method": election.get_method_display(),
                "s": election.seats,
                "who": _names(elected) if elected else _("无人"),
            }
        )
    released = [
        c.seat.person_name
        for c in meeting.seat_changes.filter(kind=ChangeKind.RELEASED).select_related("seat")
    ]
    if released:
        lines.append(_("会议同意%(n)s不再担任相应职务。") % {"n": _names(sorted(set(released)))})
    return "\n".join(lines)


def minutes_pdf(meeting: Meeting) -> bytes:
    entitled, present = attendance(meeting)
    doc = Document(
        title=_("%(t)s纪要") % {"t": meeting.title},
        number=meeting.number,
        subtitle=meeting.org.name,
    )
    doc.section(_("会议概况"))
    doc.table(
        [Column(_("项目"), 40), Column(_("内容"), doc.width - 40)],
        [
            (_("会议日期"), meeting.held_on.isoformat()),
            (_("地点"), meeting.place or "—"),
            (_("主持人"), meeting.presided_by or "—"),
            (_("应到 / 实到"), f"{entitled} / {present}"),
            (_("计票人"), _names(meeting.tellers)),
            (_("监票人"), _names(meeting.scrutineers)),
        ],
    )
    doc.section(_("会议纪要"))
    for line in (meeting.minutes or draft(meeting)).splitlines():
        if line.strip():
            doc.paragraph(line.strip())
    for election in meeting.elections.all():
        _election_section(doc, election)
    changes = list(meeting.seat_changes.select_related("seat", "committee").order_by("id"))
    if changes:
        doc.section(_("委员变动"))
        doc.table(
            [
                Column(_("委员会"), 70),
                Column(_("姓名"), 30),
                Column(_("职务"), 30),
                Column(_("变动"), doc.width - 130),
            ],
            [
                (
                    c.committee.name,
                    c.seat.person_name,
                    c.get_position_display(),
                    c.get_kind_display(),
                )
                for c in changes
            ],
        )
    if meeting.minutes_signed_by:
        doc.paragraph(_("签发人：%(n)s") % {"n": meeting.minutes_signed_by}, indent=False)
    day = meeting.minutes_signed_on or meeting.held_on
    doc.seal(meeting.org.name, f"{day.year}年{day.month}月{day.day}日")
    return doc.output()


def _election_section(doc: Document, election: Election) -> None:
    doc.section(election.title)
    for rnd in election.rounds.all():
        doc.paragraph(
            _("第%(n)d轮（%(s)s）：%(summary)s")
            % {"n": rnd.number, "s": rnd.get_status_display(), "summary": rnd.summary or "—"}
        )
        rows = [
            (
                c.candidate.name + ("（另选）" if c.candidate.write_in else ""),
                c.approve,
                c.disapprove,
                c.abstain,
                _("当选") if c.candidate.elected and rnd.status == RoundStatus.COUNTED else "",
            )
            for c in rnd.counts.select_related("candidate").order_by("-approve", "candidate__order")
        ]
        if rows:
            doc.table(
                [
                    Column(_("候选人"), 50),
                    Column(_("赞成"), 25, "RIGHT"),
                    Column(_("不赞成"), 25, "RIGHT"),
                    Column(_("弃权"), 25, "RIGHT"),
                    Column(_("结果"), doc.width - 125),
                ],
                rows,
            )


def result_pdf(election: Election) -> bytes:
    meeting = election.meeting
    doc = Document(
        title=_("%(t)s选举结果报告") % {"t": election.title},
        number=meeting.number,
        subtitle=meeting.title,
    )
    doc.paragraph(
        _("选举方式：%(m)s；应选名额：%(s)d；计票人：%(t)s；监票人：%(c)s。")
        % {
            "m": election.get_method_display(),
            "s": election.seats,
            "t": _names(meeting.tellers),
            "c": _names(meeting.scrutineers),
        }
    )
    _election_section(doc, election)
    elected = [c for c in election.candidates.filter(elected=True).order_by("-votes", "order")]
    doc.section(_("当选人员"))
    doc.table(
        [Column(_("姓名"), 40), Column(_("得票"), 25, "RIGHT"), Column(_("说明"), doc.width - 65)],
        [(c.name, c.votes, c.reason) for c in elected] or [("—", "", "")],
    )
    day = meeting.held_on
    doc.seal(meeting.org.name, f"{day.year}年{day.month}月{day.day}日")
    return doc.output()


def ballots_pdf(rnd: Round, copies: int) -> bytes:
    """Numbered paper ballots: one per page section, each with the candidates and the
    columns 赞成 / 不赞成 / 弃权 and lines to write in another name."""
    election = rnd.election
    doc = Document(
        title=_("%(t)s选票") % {"t": election.title},
        number=_("第%(n)d轮") % {"n": rnd.number},
        subtitle=election.meeting.title,
    )
    candidates: list[Any] = list(rnd.candidates.order_by("order"))
    for i in range(1, copies + 1):
        doc.section(_("选票 第 %(n)04d 号") % {"n": i}, numbered=False)
        doc.note(
            _(
                "应选 %(s)d 名。在赞成、不赞成或弃权栏内划“○”；另选他人的在空格内写其姓名并划“○”。"
                "划“○”的人数多于应选名额的选票无效。"
            )
            % {"s": rnd.seats}
        )
        rows = [(c.name, "", "", "") for c in candidates] + [("", "", "", "")] * max(1, rnd.seats)
        doc.table(
            [
                Column(_("候选人"), 60),
                Column(_("赞成"), 30, "CENTER"),
                Column(_("不赞成"), 30, "CENTER"),
                Column(_("弃权"), doc.width - 120, "CENTER"),
            ],
            rows,
            size=10,
        )
    return doc.output()
