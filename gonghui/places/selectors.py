"""Reads of the places, always scoped: the places of the user's subtree (every active place
for a member: they are public), their ratings' average and count, the reviews waiting for the
user, and the nearest stations to a point."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet

from gonghui.core.roles import can
from gonghui.core.scope import access
from gonghui.orgs.models import Org, OrgKind

from . import geo
from .models import OPEN_REVIEW, Kind, Place, Rating, Review, ReviewStatus

NEAREST_LIMIT = 10
NEAREST_KM = (5, 15, 40, 120)  # the candidate boxes tried in turn, widening
CANDIDATES_MAX = 2000  # the most rows a box may bring back to measure


def places_for(user: Any) -> QuerySet[Place]:
    return Place.objects.visible_to(user).select_related("org", "county")


def access_place(user: Any, pk: Any) -> Place:
    return access(Place.objects.select_related("org", "county"), user, pk=pk)


def access_place_by_code(user: Any, code: str) -> Place:
    return access(Place.objects.select_related("org", "county"), user, code=code)


def with_ratings(qs: QuerySet[Place]) -> QuerySet[Place]:
    """Each place with its members' average (``rating_avg``) and count (``rating_count``)."""
    return qs.annotate(rating_avg=Avg("ratings__score"), rating_count=Count("ratings"))


@dataclass
class Summary:
    average: Decimal | None
    count: int

    @property
    def text(self) -> str:
        return "—" if self.average is None else f"{self.average:.1f}"


def rating_summary(place: Place) -> Summary:
    row = Rating.objects.filter(place=place).aggregate(a=Avg("score"), n=Count("id"))
    avg = row["a"]
    return Summary(
        average=None if avg is None else Decimal(str(avg)).quantize(Decimal("0.1")),
        count=row["n"],
    )


def reviews_for(user: Any) -> QuerySet[Review]:
    return Review.objects.visible_to(user).select_related("place", "place__org", "place__county")


def access_review(user: Any, pk: Any) -> Review:
    return access(
        Review.objects.select_related("place", "place__org", "place__county"), user, pk=pk
    )


def waiting_for(user: Any) -> QuerySet[Review]:
    """The reviews waiting for this user's org to act: the county's reviews for a county
    cadre, the confirmations for a city cadre, the self-assessments (draft or returned) of
    the owner's places for a clerk or cadre who may manage them."""
    qs = reviews_for(user).filter(status__in=OPEN_REVIEW)
    org = getattr(user, "org", None)
    if org is None:
        return qs.none()
    wanted = Q(pk__in=[])
    if can(user, "places.review"):
        if org.kind == OrgKind.CITY:
            wanted |= Q(status=ReviewStatus.COUNTY_PASSED)
            wanted |= Q(status=ReviewStatus.SUBMITTED, place__county__isnull=True)
        else:
            wanted |= Q(status=ReviewStatus.SUBMITTED, place__county=org)
    if can(user, "places.manage"):
        wanted |= Q(status__in=(ReviewStatus.DRAFT, ReviewStatus.RETURNED), place__org=org)
    return qs.filter(wanted).order_by("due_on", "id")


@dataclass
class Near:
    place: Place
    km: float

    @property
    def distance(self) -> str:
        return f"{self.km:.1f}" if self.km < 10 else f"{self.km:.0f}"


def nearest(
    qs: QuerySet[Place],
    *,
    lng: float,
    lat: float,
    kind: str = Kind.STATION,
    limit: int = NEAREST_LIMIT,
) -> list[Near]:
    """The ``limit`` nearest active places of ``kind`` to a point: a bounding box read through
    the (kind, latitude, longitude) index — widened until it holds enough places, at most
    ``CANDIDATES_MAX`` rows — then the exact haversine distance of each candidate in Python.
    A place just outside the box can be nearer than one in its corner, so the answer is
    taken only from candidates within the box's half-width (or from the widest box)."""
    base = qs.filter(kind=kind, active=True, latitude__isnull=False, longitude__isnull=False)
    found: list[Near] = []
    for km in NEAREST_KM:
        lat_lo, lat_hi, lng_lo, lng_hi = geo.box(lng, lat, km)
        rows = list(
            base.filter(
                latitude__range=(lat_lo, lat_hi), longitude__range=(lng_lo, lng_hi)
            ).order_by("id")[:CANDIDATES_MAX]
        )
        measured = sorted(
            (Near(p, geo.haversine_km(lng, lat, float(p.longitude), float(p.latitude)))  # type: ignore[arg-type]
             for p in rows),
            key=lambda n: (n.km, n.place.pk),
        )  # fmt: skip
        within = [n for n in measured if n.km <= km]
        found = measured if km == NEAREST_KM[-1] else within
        if len(within) >= limit:
            return within[:limit]
    return found[:limit]


def county_centre(code: str) -> tuple[float, float] | None:
    """The (longitude, latitude) of a county's seat, for a search by county."""
    seat = geo.CENTRES.get(code)
    return (seat[1], seat[2]) if seat else None


def counties() -> QuerySet[Org]:
    return Org.objects.filter(kind=OrgKind.COUNTY, active=True, code__in=list(geo.CENTRES))


def map_points(qs: QuerySet[Place]) -> list[dict[str, Any]]:
    """The places with coordinates, as the map draws them."""
    kinds = dict(Kind.choices)
    return [
        {
            "name": p["name"],
            "value": [float(p["longitude"] or 0), float(p["latitude"] or 0), p["stars"]],
            "kind": p["kind"],
            "kind_label": str(kinds.get(p["kind"], p["kind"])),
            "id": p["id"],
        }
        for p in qs.filter(latitude__isnull=False, longitude__isnull=False)
        .order_by()
        .values("id", "name", "kind", "longitude", "latitude", "stars")
    ]
