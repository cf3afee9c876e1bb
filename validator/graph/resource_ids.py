"""ARM resource ids: normalizing, splitting and relating them (scopes contain what is below them)."""
from __future__ import annotations

import re
from typing import Any

from validator.model import Unknown

_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)


def normalize(resource_id: Any) -> str | None:
    """Lower-cased id without a trailing slash; None for Unknown or non-ids.

    ARM compares ids case-insensitively."""
    if not isinstance(resource_id, str) or isinstance(resource_id, Unknown):
        return None
    text = resource_id.strip().rstrip("/").lower()
    if not text.startswith("/"):
        return None
    return text


def covers(scope: str, target: str) -> bool:
    """True when an assignment or lock at ``scope`` applies to ``target`` (both normalized)."""
    return target == scope or target.startswith(scope + "/")


def ancestors(resource_id: str) -> list[str]:
    """``resource_id`` and every scope above it, nearest first (normalized ids)."""
    parts = resource_id.split("/")
    return ["/".join(parts[:end]) for end in range(len(parts), 1, -1)]


def subscription_of(resource_id: str) -> str | None:
    match = re.match(r"^/subscriptions/([^/]+)", resource_id, re.I)
    return match.group(1) if match else None


def resource_group_id(resource_id: str) -> str | None:
    """The id of the resource group holding ``resource_id`` (normalized), or None."""
    match = re.match(r"^(/subscriptions/[^/]+/resourcegroups/[^/]+)", resource_id.lower())
    return match.group(1) if match else None


def resource_group_name(resource_id: str) -> str | None:
    match = re.match(r"^/subscriptions/[^/]+/resourcegroups/([^/]+)", resource_id, re.I)
    return match.group(1) if match else None


def resource_type(resource_id: str) -> str | None:
    """The resource type of a normalized id ('microsoft.storage/storageaccounts/blobservices'), or None.

    Types are read after the last /providers/ segment: namespace, then every other segment."""
    if "/providers/" not in resource_id:
        return None
    parts = resource_id.rsplit("/providers/", 1)[1].split("/")
    if len(parts) < 3:
        return None
    return "/".join([parts[0]] + parts[1::2])


def last_name(resource_id: str) -> str:
    return resource_id.rstrip("/").rsplit("/", 1)[-1]


def guid_in(value: Any) -> str | None:
    """The role-definition GUID at the end of an id or the GUID itself (lower case)."""
    if not isinstance(value, str):
        return None
    matches = _GUID.findall(value)
    return matches[-1].lower() if matches else None


def is_placeholder(segment: str) -> bool:
    """Placeholders stand for the deployment's own subscription / resource group."""
    return segment.startswith("{") and segment.endswith("}")


def has_placeholder(resource_id: str) -> bool:
    return any(is_placeholder(part) for part in resource_id.split("/"))


def short(value: Any) -> str:
    """A name for messages: the last segment of an id, or what an Unknown stands for."""
    if isinstance(value, Unknown):
        return str(value)
    if isinstance(value, str):
        name = last_name(value) if value.startswith("/") else value
        # a unit-local placeholder reads as the placeholder itself
        return "{resourceGroup}" if name.startswith("{resourceGroup") else name
    return str(value)
