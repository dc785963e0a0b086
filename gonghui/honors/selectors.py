"""Scoped reads of honours and competitions.

A round is seen by the users of its org's subtree (who run it and nominate in it) and by the
users of the orgs *above and below*: a county cadre sees the city's round in which it
nominates. Nominations and honours are seen in the nominating union's subtree (the city sees
every county's, county A never county B's). A member sees the rounds open to vote among the
unions above their own, and their own honours. Missing and forbidden answer the same
``NotFound``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q, QuerySet

from gonghui.core.errors import NotFound
from gonghui.core.roles import Role, can
from gonghui.core.scope import access, subtree_org_ids

from .models import (
    LIVE_NOMINATIONS,
    Allotment,
    Award,
    Competition,
    CompetitionIndicator,
    CompetitionPhase,
    CompetitionScore,
    CompetitionUnit,
    Honour,
    ModelWorker,
    Nomination,
    NominationStatus,
    Round,
    RoundStatus,
    Vote,
)


def ancestor_ids(org: Any) -> list[int]:
    """The ids of ``org`` and every org above it (read off its materialised path)."""
    return [int(part) for part in org.path.strip("/").split("/") if part]


def member_of(user: Any) -> Any:
    """The active member record behind a member's login, or None."""
    from gonghui.members.models import Member, Status

    if getattr(user, "role", None) != Role.MEMBER:
        return None
    # what a vote and the round's scope need: the record's id and its org's path (not the
    # whole record, whose ID number would be decrypted on every vote)
    found = (
        Member.objects.filter(user=user, status=Status.ACTIVE)
        .select_related("org")
        .only("id", "user", "org", "org__path")
        .order_by()[:1]
    )
    return next(iter(found), None)


_LOOK_UP = object()


def rounds_visible_to(user: Any, *, member: Any = _LOOK_UP) -> QuerySet[Round]:
    """The rounds ``user`` may see. A member sees the voting rounds of their org and the orgs
    above it; ``member`` is their record when the caller already has it (``member_of``)."""
    qs = Round.objects.select_related("award", "org")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if user.role == Role.MEMBER:
        if member is _LOOK_UP:
            member = member_of(user)
        if member is None:
            return qs.none()
        return qs.filter(
            org__in=ancestor_ids(member.org), vote_enabled=True, status=RoundStatus.VOTING
        )
    if not can(user, "honors.view") or user.org is None:
        return qs.none()
    return qs.filter(Q(org__in=subtree_org_ids(user.org)) | Q(org__in=ancestor_ids(user.org)))


def access_round(user: Any, pk: Any, *, member: Any = _LOOK_UP) -> Round:
    try:
        return rounds_visible_to(user, member=member).get(pk=pk)
    except (Round.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound() from exc


def enterprises_for(user: Any) -> QuerySet[Any]:
    """The enterprises a user may put forward: in their county's subtree, or covered by a
    union of their subtree (a grassroots clerk's own employer)."""
    from gonghui.orgs.models import Enterprise

    if not getattr(user, "is_authenticated", False) or user.org is None:
        return Enterprise.objects.none()
    tree = subtree_org_ids(user.org)
    return Enterprise.objects.filter(Q(county__in=tree) | Q(union__in=tree)).select_related(
        "county"
    )


def awards() -> QuerySet[Award]:
    return Award.objects.all()


def nominations_visible_to(user: Any) -> QuerySet[Nomination]:
    if not can(user, "honors.view"):
        return Nomination.objects.none()
    return Nomination.objects.visible_to(user).select_related("round", "round__award", "org")


def access_nomination(user: Any, pk: Any) -> Nomination:
    return access(nominations_visible_to(user), user, pk=pk)


def round_nominations(user: Any, round: Round, status: str = "") -> QuerySet[Nomination]:
    qs = nominations_visible_to(user).filter(round=round)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("org__code", "id")


def allotments(round: Round) -> list[Allotment]:
    """The round's allotments with the places each has used (nominations passed up)."""
    rows = list(round.allotments.select_related("org"))
    for row in rows:
        row.used = Nomination.objects.filter(  # type: ignore[attr-defined]
            round=round,
            org__in=subtree_org_ids(row.org),
            status__in=(NominationStatus.SELECTED, NominationStatus.NAMED),
        ).count()
    return rows


def allotment_for(round: Round, org: Any) -> Allotment | None:
    """The allotment whose org holds ``org`` (itself or above it)."""
    return round.allotments.filter(org__in=ancestor_ids(org)).select_related("org").first()


def live_nominations(round: Round, org: Any = None) -> QuerySet[Nomination]:
    qs = Nomination.objects.filter(round=round, status__in=LIVE_NOMINATIONS)
    if org is not None and org.pk != round.org_id:
        qs = qs.filter(org__in=subtree_org_ids(org))
    return qs


def vote_counts(round: Round) -> list[dict[str, Any]]:
    """The live count: votes per candidate, read off the candidates' counters (one query of
    at most a round's places, whatever the number of votes)."""
    noms = Nomination.objects.filter(
        round=round, status__in=(NominationStatus.SELECTED, NominationStatus.NAMED)
    ).values("id", "name", "team", "org__name", "vote_count", "flagged_count")
    out: list[dict[str, Any]] = [
        {
            "id": n["id"],
            "name": f"{n['name']}（{n['team']}）" if n["team"] else n["name"],
            "org": n["org__name"],
            "votes": n["vote_count"],
            "flagged": n["flagged_count"],
        }
        for n in noms
    ]
    out.sort(key=lambda r: (-r["votes"], r["id"]))
    return out


def results_key(round: Round) -> str:
    return f"gonghui:honors:results:{round.pk}"


def vote_counts_live(round: Round, *, clock: float | None = None) -> list[dict[str, Any]]:
    """The live count as the results API serves it: ``vote_counts`` kept in the cache and read
    again from the counters (the truth) once the copy is ``GONGHUI_RESULTS_REFRESH_SECONDS``
    old — at most once in that time per cache, however many read it, and never older than
    that: the copy holds the time just before its counters were read, and an older one is not
    served whatever the cache's own expiry does. Callers check the reader's scope first."""
    interval = settings.GONGHUI_RESULTS_REFRESH_SECONDS
    if interval <= 0:
        return vote_counts(round)
    now = time.time() if clock is None else clock
    key = results_key(round)
    hit = cache.get(key)
    if hit is not None and 0 <= now - hit[0] < interval:
        rows: list[dict[str, Any]] = hit[1]
        return rows
    rows = vote_counts(round)
    cache.set(key, (now, rows), timeout=interval)
    return rows


def vote_count_drift(round: Round) -> dict[int, tuple[int, int]]:
    """Candidates whose counter differs from their vote rows: ``{id: (counter, rows)}`` —
    empty when no vote was lost or doubled (the benchmark and the tests check it)."""
    rows = dict(
        Vote.objects.filter(round=round)
        .values("nomination_id")
        .annotate(n=Count("id"))
        .values_list("nomination_id", "n")
    )
    counters = dict(Nomination.objects.filter(round=round).values_list("id", "vote_count"))
    return {
        pk: (counters.get(pk, 0), rows.get(pk, 0))
        for pk in set(rows) | set(counters)
        if counters.get(pk, 0) != rows.get(pk, 0)
    }


def results_visible(user: Any, round: Round) -> bool:
    """Members see the count live only where the round says so; staff always."""
    if user.role != Role.MEMBER:
        return True
    return round.results_live


def honours_visible_to(user: Any) -> QuerySet[Honour]:
    if user.role != Role.MEMBER and not can(user, "honors.view"):
        return Honour.objects.none()
    return Honour.objects.visible_to(user).select_related("award", "org", "round")


def access_honour(user: Any, pk: Any) -> Honour:
    return access(honours_visible_to(user), user, pk=pk)


def competitions_visible_to(user: Any) -> QuerySet[Competition]:
    if not can(user, "honors.view"):
        return Competition.objects.none()
    return Competition.objects.visible_to(user).select_related("org")


def access_competition(user: Any, pk: Any) -> Competition:
    return access(competitions_visible_to(user), user, pk=pk)


@dataclass
class RankRow:
    unit: CompetitionUnit
    # phase id → the unit's weighted total out of 100 in that phase (None: no score there)
    phases: dict[int, Decimal | None]
    total: Decimal | None
    rank: int | None = None


@dataclass
class Ranking:
    phases: list[CompetitionPhase]
    indicators: list[CompetitionIndicator]
    rows: list[RankRow]
    # phase id → (unit id, indicator id) → score: the grid's cells
    cells: dict[int, dict[tuple[int, int], Decimal]] = field(default_factory=dict)


def competition_ranking(comp: Competition) -> Ranking:
    """The units' weighted totals and ranks, computed from the scores (four queries).

    A unit's total in a phase is ``Σ weight × score / max ÷ Σ weight × 100`` over the
    competition's indicators (an indicator not scored counts 0); its overall total is the mean
    of its phase totals over the phases in which any unit was scored, rounded to 0.01. A unit
    with no score at all is not ranked. Equal totals share a rank (1, 1, 3), then by name."""
    phases = list(comp.phases.all())
    indicators = list(comp.indicator_rows.all())
    units = list(comp.units.select_related("enterprise").order_by("id"))
    cells: dict[int, dict[tuple[int, int], Decimal]] = {p.pk: {} for p in phases}
    for unit_id, indicator_id, phase_id, score in CompetitionScore.objects.filter(
        phase__competition=comp
    ).values_list("unit_id", "indicator_id", "phase_id", "score"):
        cells.setdefault(phase_id, {})[(unit_id, indicator_id)] = score
    weights = sum((i.weight for i in indicators), Decimal(0))
    scored = [p for p in phases if cells.get(p.pk)]
    rows: list[RankRow] = []
    for unit in units:
        per_phase: dict[int, Decimal | None] = {}
        for phase in phases:
            marks = cells.get(phase.pk, {})
            if not any((unit.pk, i.pk) in marks for i in indicators) or not weights:
                per_phase[phase.pk] = None
                continue
            points = sum(
                (
                    i.weight * marks.get((unit.pk, i.pk), Decimal(0)) / i.max_score
                    for i in indicators
                ),
                Decimal(0),
            )
            per_phase[phase.pk] = (points / weights * 100).quantize(
                Decimal("0.01"), rounding=ROUND_HALF_UP
            )
        given = [per_phase[p.pk] for p in scored if per_phase[p.pk] is not None]
        total = None
        if given:
            exact = sum((per_phase[p.pk] or Decimal(0) for p in scored), Decimal(0))
            total = (exact / len(scored)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        rows.append(RankRow(unit=unit, phases=per_phase, total=total))
    ranked = sorted(
        (r for r in rows if r.total is not None), key=lambda r: (-(r.total or 0), r.unit.name)
    )
    for i, row in enumerate(ranked):
        prev = ranked[i - 1] if i else None
        row.rank = prev.rank if prev is not None and prev.total == row.total else i + 1
    ranked += [r for r in rows if r.total is None]
    return Ranking(phases=phases, indicators=indicators, rows=ranked, cells=cells)


def open_rounds_for_competition(user: Any, comp: Competition) -> QuerySet[Round]:
    """The rounds a competition's results may be nominated into: taking nominations, for a
    collective or team award, run by the organiser's org or one above it."""
    from .models import AwardKind

    return (
        rounds_visible_to(user)
        .filter(status=RoundStatus.NOMINATING, org__in=ancestor_ids(comp.org))
        .exclude(award__kind=AwardKind.INDIVIDUAL)
    )


def waiting_for(user: Any) -> dict[str, int]:
    """What waits for the user in this module (home page), in one query: proposals to pass up
    in rounds taking nominations, and nominees being vetted, in the user's subtree."""
    if not can(user, "honors.view") or user.org is None:
        return {"proposed": 0, "vetting": 0}
    return Nomination.objects.visible_to(user).aggregate(
        proposed=Count(
            "id",
            filter=Q(status=NominationStatus.PROPOSED, round__status=RoundStatus.NOMINATING),
        ),
        vetting=Count(
            "id", filter=Q(status=NominationStatus.SELECTED, round__status=RoundStatus.VETTING)
        ),
    )


def model_workers_visible_to(user: Any) -> QuerySet[ModelWorker]:
    """The register of the user's subtree; a member sees only their own entry."""
    if getattr(user, "role", None) != Role.MEMBER and not can(user, "honors.view"):
        return ModelWorker.objects.none()
    return ModelWorker.objects.visible_to(user).select_related("org", "member", "honour")


def access_model_worker(user: Any, pk: Any) -> ModelWorker:
    return access(model_workers_visible_to(user), user, pk=pk)


def model_worker_search(
    user: Any, *, q: str = "", status: str = "", level: str = ""
) -> QuerySet[ModelWorker]:
    qs = model_workers_visible_to(user)
    if q.strip():
        text = q.strip()[:50]
        qs = qs.filter(Q(name__icontains=text) | Q(employer__icontains=text))
    if status:
        qs = qs.filter(status=status)
    if level:
        qs = qs.filter(level=level)
    return qs
