"""ISO 8601 durations and repeating intervals as the Azure Backup policy API writes them."""
from __future__ import annotations

import re

_DURATION = re.compile(
    r"^P(?:(?P<years>\d+(?:\.\d+)?)Y)?(?:(?P<months>\d+(?:\.\d+)?)M)?(?:(?P<weeks>\d+(?:\.\d+)?)W)?(?:(?P<days>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<hours>\d+(?:\.\d+)?)H)?(?:(?P<minutes>\d+(?:\.\d+)?)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$", re.I)
# Calendar units are approximated as Azure Backup retention does: a month ~30 days, a year 365.
_HOURS = {"years": 365 * 24, "months": 30 * 24, "weeks": 7 * 24, "days": 24, "hours": 1, "minutes": 1 / 60, "seconds": 1 / 3600}


def duration_hours(text: str) -> float | None:
    """Hours in an ISO 8601 duration ('P7D' -> 168, 'PT4H' -> 4); None when it is not one."""
    if not isinstance(text, str):
        return None
    match = _DURATION.match(text.strip())
    if not match or text.strip().upper() in ("P", "PT") or text.strip().upper().endswith("T"):
        return None
    return sum(float(v) * _HOURS[k] for k, v in match.groupdict().items() if v)


def interval_of(repeating: str) -> str | None:
    """The duration of an 'R/<start>/<duration>' repeating interval (the R prefix is ignored)."""
    if not isinstance(repeating, str):
        return None
    parts = repeating.strip().split("/")
    return parts[-1] if len(parts) >= 2 else None
