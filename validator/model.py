"""The normalized model every front-end produces and every check reads.

This module imports no other part of the package (see docs/architecture.md).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

SEVERITIES = ("error", "warning", "info")
SEVERITY_RANK = {"error": 3, "warning": 2, "info": 1}


@dataclass(frozen=True)
class Unknown:
    """A value that cannot be known before deployment.

    ``origin`` says why, in words a user understands ("reference('vault')",
    "parameter 'rgName' has no value").  When the value is a property of a
    deployed resource (``reference(id).identity.principalId`` in ARM,
    ``vault.identity.principalId`` in Bicep) ``ref`` holds the resource id
    (itself possibly Unknown) and ``path`` the property path from the
    resource root, so rules can still say *whose* identity it is.
    Any operation on an Unknown yields an Unknown.
    """

    origin: str
    ref: Any = None
    path: tuple = ()

    def child(self, key: Any) -> "Unknown":
        """Property or index access: keeps the reference, extends the path."""
        if self.ref is not None:
            return Unknown(self.origin, self.ref, self.path + (key,))
        return Unknown(self.origin)

    def __str__(self) -> str:  # shown in messages
        if self.ref is not None and self.path:
            return f"<{self.origin}.{'.'.join(map(str, self.path))}>"
        return f"<{self.origin}>"


def is_unknown(value: Any) -> bool:
    """True when ``value`` is, or (for strings built from parts) contains, an Unknown."""
    return isinstance(value, Unknown)


def contains_unknown(value: Any) -> bool:
    """True when an Unknown occurs anywhere inside a JSON-like value."""
    if isinstance(value, Unknown):
        return True
    if isinstance(value, dict):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_unknown(v) for v in value)
    return False


@dataclass(frozen=True, order=True)
class Location:
    """Where a fact was written: a path relative to the scanned root (``/`` separators)."""

    path: str
    line: int = 0
    column: int = 0


Locator = Callable[[tuple], Location]


class LazyLocation:
    """A Location resolved on first use: evaluators can carry where a rule is written through every
    flow they check, and only the ones a finding names pay for line numbers."""

    __slots__ = ("_resource", "_path", "_value")

    def __init__(self, resource: "Resource", path: tuple = ()):
        self._resource, self._path, self._value = resource, tuple(path), None

    def resolve(self) -> Location:
        if self._value is None:
            self._value = self._resource.location_of(*self._path)
        return self._value

    path = property(lambda self: self.resolve().path)
    line = property(lambda self: self.resolve().line)
    column = property(lambda self: self.resolve().column)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazyLocation):
            return (self._resource is other._resource and self._path == other._path) or self.resolve() == other.resolve()
        return isinstance(other, Location) and self.resolve() == other

    def __hash__(self) -> int:
        return hash(self.resolve())

    def __lt__(self, other: object) -> bool:
        return self.resolve() < (other.resolve() if isinstance(other, LazyLocation) else other)

    def __repr__(self) -> str:
        return f"LazyLocation({self._resource.file!r}, {self._path!r})"


@dataclass
class Resource:
    """One resource or manifest object, whatever format declared it.

    ``type`` is the ARM type (``Microsoft.ContainerService/managedClusters``) or
    ``k8s:<group>/<Kind>`` for Kubernetes objects (core group: ``k8s:/ConfigMap``
    is written ``k8s:ConfigMap``).  ``body`` is the whole evaluated declaration
    (``properties``, ``identity``, ``location``, ``sku``... or a manifest's
    ``metadata``/``spec``/``data``) with Unknown where a value is not knowable.
    ``unit`` names the deployment unit (template + parameter file); resources of
    two units are never linked.
    """

    type: str
    name: Any
    id: Any
    body: dict
    file: str  # relative path of the declaring file
    unit: str = ""
    scope: Any = None  # the id of the scope the resource lives in
    source_format: str = ""  # arm | bicep | kubernetes | helm | config
    locator: Locator | None = field(default=None, repr=False, compare=False)
    depends_on: tuple = ()  # ids (or Unknowns) this resource depends on
    deployed_by: tuple = ()  # ids of the nested deployments (modules) declaring it, outermost first
    condition: Any = True  # ARM/Bicep deploy condition; Unknown when not knowable

    @property
    def properties(self) -> dict:
        props = self.body.get("properties")
        return props if isinstance(props, dict) else {}

    def get(self, *path: Any, default: Any = None) -> Any:
        """Value at ``path`` from the body root; Unknowns are returned, never walked into."""
        node: Any = self.body
        for key in path:
            if isinstance(node, Unknown):
                return node.child(key)
            if isinstance(node, dict):
                if key not in node:
                    return default
                node = node[key]
            elif isinstance(node, list) and isinstance(key, int):
                if not -len(node) <= key < len(node):
                    return default
                node = node[key]
            else:
                return default
        return node

    def location_of(self, *path: Any) -> Location:
        """The source location of the property at ``path`` (falls back to the nearest parent).

        Computed on demand: only files with a finding pay for line numbers."""
        if self.locator is None:
            return Location(self.file)
        try:
            return self.locator(tuple(path))
        except (KeyError, IndexError, ValueError, TypeError):
            return Location(self.file)

    @property
    def location(self) -> Location:
        """Where the resource is declared."""
        return self.location_of()

    def site(self, *path: Any) -> LazyLocation:
        """Where the property at ``path`` is written, resolved only if someone asks."""
        return LazyLocation(self, path)

    @property
    def display_name(self) -> str:
        """The name for messages; a name known only at deployment is described by where it is declared."""
        if isinstance(self.name, Unknown):
            kind = self.type.rsplit("/", 1)[-1] if isinstance(self.type, str) else "resource"
            return f"{kind} at {self.file}:{self.location.line}"
        return str(self.name)


@dataclass(frozen=True)
class Related:
    location: Location
    message: str


@dataclass
class Finding:
    """A rule's verdict on one place.

    Checks fill ``message``, ``location``, ``resource``, ``related`` and a
    concrete ``fix`` naming the real resources; the engine stamps rule id,
    title, codes, default severity and the fingerprint.
    """

    message: str
    location: Location
    resource: str = ""
    related: tuple = ()
    fix: str = ""
    severity: str = ""  # empty: the policy's severity
    codes: tuple = ()  # empty: the policy's codes
    rule_id: str = ""
    title: str = ""
    fingerprint: str = ""
    subject: Any = field(default=None, repr=False, compare=False)  # the Resource it is about

    def sort_key(self) -> tuple:
        return (self.location.path, self.location.line, self.location.column,
                self.rule_id, self.message)


@dataclass(frozen=True)
class Diagnostic:
    """Something the tool could not read or evaluate; shown by every reporter."""

    path: str
    message: str
    line: int = 0
    severity: str = "warning"
    kind: str = "parse-error"

    def sort_key(self) -> tuple:
        return (self.path, self.line, self.kind, self.message)


def walk(value: Any, path: tuple = ()) -> Iterable[tuple[tuple, Any]]:
    """Every (path, value) inside a JSON-like value, depth first, parents before children."""
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from walk(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from walk(item, path + (index,))
