"""Date functions
(https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-date).

``utcNow()`` is the deployment time: always Unknown here.
"""
from __future__ import annotations

import calendar
import re
from datetime import datetime, timedelta, timezone

from validator.frontends.arm.syntax import ExpressionError
from validator.frontends.arm.values import arity, expect_int, expect_str
from validator.model import Unknown

_DURATION = re.compile(
    r"^(?P<sign>-)?P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$")
# .NET custom date/time specifiers, longest first so 'yyyy' wins over 'yy'.
_TOKENS = re.compile(r"yyyy|yy|MMMM|MMM|MM|M|dddd|ddd|dd|d|HH|H|hh|h|mm|m|ss|s|f{1,7}|tt|K|zzz|'[^']*'|\\.|.")
_STANDARD = {
    "o": "yyyy-MM-ddTHH:mm:ss.fffffffK", "O": "yyyy-MM-ddTHH:mm:ss.fffffffK",
    "s": "yyyy-MM-ddTHH:mm:ss", "u": "yyyy-MM-dd HH:mm:ssZ",
    "d": "M/d/yyyy", "D": "dddd, MMMM d, yyyy", "t": "h:mm tt", "T": "h:mm:ss tt",
    "g": "M/d/yyyy h:mm tt", "G": "M/d/yyyy h:mm:ss tt",
    "f": "dddd, MMMM d, yyyy h:mm tt", "F": "dddd, MMMM d, yyyy h:mm:ss tt",
}
# With no format, dateTimeAdd prints DateTime.ToString(): the documented example
# dateTimeAdd('2020-04-07 14:53:14Z', 'P3Y') gives '4/7/2023 2:53:14 PM'.
_DEFAULT = "G"


def parse_datetime(name: str, text: str) -> datetime:
    """Parse an ISO 8601 date-time (``Z`` or offset; naive values are taken as UTC)."""
    candidate = text.strip().replace(" ", "T", 1)
    if candidate.endswith(("Z", "z")):
        candidate = candidate[:-1] + "+00:00"
    match = re.match(r"^(.*T\d\d:\d\d:\d\d)\.(\d+)(.*)$", candidate)
    if match:  # Python accepts at most 6 fractional digits, .NET 7
        candidate = f"{match[1]}.{match[2][:6].ljust(6, '0')}{match[3]}"
    try:
        value = datetime.fromisoformat(candidate)
    except ValueError:
        raise ExpressionError(f"{name}: '{text}' is not a valid date-time") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def _add_months(value: datetime, months: int) -> datetime:
    total = value.year * 12 + value.month - 1 + months
    year, month = divmod(total, 12)
    day = min(value.day, calendar.monthrange(year, month + 1)[1])
    return value.replace(year=year, month=month + 1, day=day)


def format_datetime(value: datetime, pattern: str) -> str:
    """Format with .NET date/time format strings (standard letters and custom patterns)."""
    pattern = _STANDARD.get(pattern, pattern)
    out = []
    for token in _TOKENS.findall(pattern):
        hour12 = value.hour % 12 or 12
        mapping = {
            "yyyy": f"{value.year:04d}", "yy": f"{value.year % 100:02d}",
            "MMMM": value.strftime("%B"), "MMM": value.strftime("%b"),
            "MM": f"{value.month:02d}", "M": str(value.month),
            "dddd": value.strftime("%A"), "ddd": value.strftime("%a"),
            "dd": f"{value.day:02d}", "d": str(value.day),
            "HH": f"{value.hour:02d}", "H": str(value.hour),
            "hh": f"{hour12:02d}", "h": str(hour12),
            "mm": f"{value.minute:02d}", "m": str(value.minute),
            "ss": f"{value.second:02d}", "s": str(value.second),
            "tt": "AM" if value.hour < 12 else "PM", "K": "Z", "zzz": "+00:00",
        }
        if token in mapping:
            out.append(mapping[token])
        elif token.startswith("f"):
            out.append(f"{value.microsecond:06d}0"[: len(token)])
        elif token.startswith("'"):
            out.append(token[1:-1])
        elif token.startswith("\\"):
            out.append(token[1:])
        else:
            out.append(token)
    return "".join(out)


def _date_time_add(ctx, args):
    arity("dateTimeAdd", args, 2, 3)
    base = parse_datetime("dateTimeAdd", expect_str("dateTimeAdd", 1, args[0]))
    duration = expect_str("dateTimeAdd", 2, args[1])
    match = _DURATION.match(duration.strip())
    if not match or duration.strip() in ("P", "-P") or duration.strip().endswith("T"):
        raise ExpressionError(f"dateTimeAdd: '{duration}' is not an ISO 8601 duration")
    parts = {k: float(v) if k == "seconds" else int(v) for k, v in match.groupdict().items()
             if v and k != "sign"}
    sign = -1 if match["sign"] else 1
    try:
        value = _add_months(base, sign * (12 * parts.get("years", 0) + parts.get("months", 0)))
        value += sign * timedelta(weeks=parts.get("weeks", 0), days=parts.get("days", 0),
                                  hours=parts.get("hours", 0), minutes=parts.get("minutes", 0),
                                  seconds=parts.get("seconds", 0))
    except (OverflowError, ValueError):
        raise ExpressionError(f"dateTimeAdd: adding '{duration}' leaves the supported date range") from None
    pattern = expect_str("dateTimeAdd", 3, args[2]) if len(args) > 2 else _DEFAULT
    return format_datetime(value, pattern)


def _date_time_from_epoch(ctx, args):
    arity("dateTimeFromEpoch", args, 1, 1)
    seconds = expect_int("dateTimeFromEpoch", 1, args[0])
    try:
        value = datetime.fromtimestamp(seconds, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        raise ExpressionError(f"dateTimeFromEpoch: {seconds} is out of range") from None
    return format_datetime(value, "yyyy-MM-ddTHH:mm:ssZ")


def _date_time_to_epoch(ctx, args):
    arity("dateTimeToEpoch", args, 1, 1)
    value = parse_datetime("dateTimeToEpoch", expect_str("dateTimeToEpoch", 1, args[0]))
    return int(value.timestamp())


def _utc_now(ctx, args):
    arity("utcNow", args, 0, 1)
    return Unknown("utcNow()")


FUNCTIONS = {
    "datetimeadd": _date_time_add,
    "datetimefromepoch": _date_time_from_epoch,
    "datetimetoepoch": _date_time_to_epoch,
    "utcnow": _utc_now,
}
