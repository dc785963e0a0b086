"""Where Heze's counties are, and how far a place is.

**The county outlines are computed, not surveyed.** The machine that builds gonghui has no
internet and no surveyed boundary of Heze's counties was found on disk, so the GeoJSON shipped
in ``static/places/heze-counties.geojson`` is made here from the real coordinates of the nine
county and district seats (``SEATS``, the seats' approximate positions in WGS 84): each
county's cell is the set of points nearer to its seat than to any other seat (a Voronoi cell,
distances measured on a plane scaled by cos 35° so that a degree of longitude counts as what
it is at Heze's latitude), clipped to the convex hull of circles of ``MARGIN_DEG`` around the
seats. The cells are honest approximations — a county's shape and size are roughly right,
its borders are straight lines — and say so in each feature's ``properties.computed``. The
two development zones (371771, 371772) lie inside 牡丹区 and 定陶区 and have no cell: their
places are drawn by their own coordinates. A surveyed GeoJSON with the same ``properties.code``
can replace the file without touching any code.

``python -m gonghui.places.geo`` writes the file again; a test checks that the shipped file is
what this module computes.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from pathlib import Path

# code → (name, longitude, latitude) of the county or district government's seat
SEATS: dict[str, tuple[str, float, float]] = {
    "371702": ("牡丹区", 115.417, 35.252),
    "371703": ("定陶区", 115.573, 35.071),
    "371721": ("曹县", 115.542, 34.826),
    "371722": ("单县", 116.087, 34.791),
    "371723": ("成武县", 115.890, 34.952),
    "371724": ("巨野县", 116.095, 35.396),
    "371725": ("郓城县", 115.944, 35.600),
    "371726": ("鄄城县", 115.510, 35.564),
    "371728": ("东明县", 115.099, 35.290),
}
# the development zones: a centre for the nearest search "by county", no outline
ZONES: dict[str, tuple[str, float, float]] = {
    "371771": ("菏泽经济技术开发区", 115.545, 35.205),
    "371772": ("菏泽高新技术产业开发区", 115.600, 35.290),
}
CENTRES = {**SEATS, **ZONES}
MARGIN_DEG = 0.22
CIRCLE_POINTS = 24
SCALE = math.cos(math.radians(35.2))
EARTH_KM = 6371.0088
FILE = Path(__file__).resolve().parent.parent / "static" / "places" / "heze-counties.geojson"

Point = tuple[float, float]


def haversine_km(lng1: float, lat1: float, lng2: float, lat2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(a)))


def box(lng: float, lat: float, km: float) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """The latitude and longitude bounds of a square ``km`` either side of a point: the
    candidate set of the nearest search (an index range, then exact distances)."""
    dlat = km / 111.32
    dlng = km / (111.32 * max(0.1, math.cos(math.radians(lat))))
    q = Decimal("0.000001")
    return (
        Decimal(lat - dlat).quantize(q),
        Decimal(lat + dlat).quantize(q),
        Decimal(lng - dlng).quantize(q),
        Decimal(lng + dlng).quantize(q),
    )


# --- the computed outlines -------------------------------------------------------------------


def _plane(lng: float, lat: float) -> Point:
    return (lng * SCALE, lat)


def _sphere(p: Point) -> list[float]:
    return [round(p[0] / SCALE, 4), round(p[1], 4)]


def _cross(o: Point, a: Point, b: Point) -> float:
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def convex_hull(points: list[Point]) -> list[Point]:
    """Andrew's monotone chain, counter-clockwise."""
    pts = sorted(set(points))
    lower: list[Point] = []
    for p in pts:
        while len(lower) >= 2 and _cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list[Point] = []
    for p in reversed(pts):
        while len(upper) >= 2 and _cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def clip(polygon: list[Point], a: Point, b: Point) -> list[Point]:
    """Keep the part of ``polygon`` nearer to ``a`` than to ``b`` (Sutherland–Hodgman with
    the perpendicular bisector of a and b)."""
    mx, my = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2
    nx, ny = b[0] - a[0], b[1] - a[1]

    def inside(p: Point) -> bool:
        return (p[0] - mx) * nx + (p[1] - my) * ny <= 0

    def cut(p: Point, q: Point) -> Point:
        dp = (p[0] - mx) * nx + (p[1] - my) * ny
        dq = (q[0] - mx) * nx + (q[1] - my) * ny
        t = dp / (dp - dq)
        return (p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1]))

    out: list[Point] = []
    for i, current in enumerate(polygon):
        previous = polygon[i - 1]
        if inside(current):
            if not inside(previous):
                out.append(cut(previous, current))
            out.append(current)
        elif inside(previous):
            out.append(cut(previous, current))
    return out


def outline() -> list[Point]:
    """The computed outline of the city: the hull of circles around the seats."""
    ring: list[Point] = []
    for _name, lng, lat in SEATS.values():
        cx, cy = _plane(lng, lat)
        for k in range(CIRCLE_POINTS):
            angle = 2 * math.pi * k / CIRCLE_POINTS
            ring.append((cx + MARGIN_DEG * math.cos(angle), cy + MARGIN_DEG * math.sin(angle)))
    return convex_hull(ring)


def build() -> dict[str, object]:
    """The counties' computed outlines as a GeoJSON FeatureCollection."""
    hull = outline()
    seats = {code: _plane(lng, lat) for code, (_n, lng, lat) in SEATS.items()}
    features = []
    for code, (name, lng, lat) in SEATS.items():
        cell = hull
        for other, point in seats.items():
            if other != code:
                cell = clip(cell, seats[code], point)
        ring = [_sphere(p) for p in cell]
        ring.append(ring[0])
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "code": code,
                    "name": name,
                    "seat": [lng, lat],
                    "computed": "Voronoi cell of the county seat, clipped to the seats' hull",
                },
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def text() -> str:
    return json.dumps(build(), ensure_ascii=False, separators=(",", ":")) + "\n"


def county_at(lng: float, lat: float) -> str:
    """The code of the county whose computed cell holds the point (its nearest seat)."""
    return min(SEATS, key=lambda c: haversine_km(lng, lat, SEATS[c][1], SEATS[c][2]))


if __name__ == "__main__":  # pragma: no cover - writes the shipped file
    FILE.parent.mkdir(parents=True, exist_ok=True)
    FILE.write_text(text(), encoding="utf-8")
    print(FILE)
