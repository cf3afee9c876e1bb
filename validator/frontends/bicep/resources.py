"""Resource declarations: instances (one per loop iteration), their identity, body, condition and dependencies.

A resource symbol used in an expression is a :class:`ResourceView`: ``.id``,
``.name``, ``.type`` and ``.apiVersion`` are known statically, a property the
declaration sets is its evaluated value, anything else (``identity.principalId``,
``properties.primaryEndpoints``) is the Unknown that ARM's
``reference(<id>, '<api>', 'Full')`` followed by that path gives.
"""
from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, Callable

from validator.frontends.arm.resource_ids import resource_id
from validator.frontends.arm.scopes import Target, target_from_scope_string
from validator.frontends.arm.syntax import ExpressionError
from validator.frontends.arm.values import get_member, short
from validator.frontends.bicep import ast as A
from validator.frontends.bicep.evaluate import Env, View, evaluate, loop_env, loop_items, plain, truth
from validator.model import Unknown

if TYPE_CHECKING:
    from validator.frontends.bicep.frames import BicepFrame

_SCOPE_FUNCTIONS = {"resourcegroup", "subscription", "managementgroup", "tenant"}
_NOT_IN_BODY = {"parent", "dependson", "scope", "name"}


# ---------------------------------------------------------------------- views

def unknown_child(instance: "ResourceInstance", path: tuple) -> Unknown:
    """What ARM's ``reference(<id>, '<api>', 'Full')`` followed by ``path`` gives."""
    target = instance.id
    shown = short(target, 120) if isinstance(target, Unknown) else f"'{target}'"
    return Unknown(f"reference({shown}, Full)", ref=target, path=path)


class ResourceView(View):
    """A resource symbol (or a property object inside it) used in an expression."""

    __slots__ = ("instance", "path")

    def __init__(self, instance: "ResourceInstance", path: tuple = ()) -> None:
        self.instance = instance
        self.path = path

    def describe(self) -> str:
        return f"resource '{self.instance.declaration.name}'"

    def member(self, name: Any, env: Env, safe: bool) -> Any:
        instance = self.instance
        if not self.path:
            if name == "id":
                return instance.id
            if name == "name":
                return instance.short_name
            if name == "type":
                return instance.type
            if name == "apiVersion":
                return instance.api_version
        path = self.path + (name,)
        found, value = instance.declared(path)
        if not found:
            return unknown_child(instance, path)
        if isinstance(value, (dict, list)):
            return ResourceView(instance, path)  # deploy time may add members: keep the reference
        return value

    def method(self, name: str, args: list, env: Env) -> Any:
        return Unknown(f"{name}(...) of {self.describe()}")

    def nested(self, name: str) -> Any:
        return self.instance.nested(name)

    def dependency(self, owner: Any) -> Any:
        if self.instance is owner or self.instance.declaration.existing:
            return None  # Bicep leaves existing resources out of dependsOn
        return self.instance.id

    def plain(self) -> Any:
        # The whole object (or a property object) is only known after deployment.
        return unknown_child(self.instance, self.path)


def resource_object(body: A.Node) -> A.ObjectLit | None:
    while isinstance(body, (A.ForExpr, A.IfExpr)):
        body = body.body
    return body if isinstance(body, A.ObjectLit) else None


def combine(*conditions: Any) -> Any:
    if any(c is False for c in conditions):
        return False
    for condition in conditions:
        if isinstance(condition, Unknown):
            return condition
    return True


def instances(declaration: Any, frame: BicepFrame, env: Env, make: Callable) -> Any:
    """One instance, or a list of them for a loop (one representative when the count is unknown)."""
    body = declaration.body
    if not isinstance(body, A.ForExpr):
        return make(env, body, None)
    try:
        pairs = loop_items(body, env)
    except ExpressionError as error:
        frame.report(str(error), getattr(error, "line", body.line), error.kind)
        pairs = Unknown(f"expression error: {error}")
    if isinstance(pairs, Unknown):
        inner = loop_env(body, env, Unknown(f"an item of {pairs.origin}"), Unknown(f"an index into {pairs.origin}"))
        return [make(inner, body.body, Unknown(f"a loop over {pairs.origin}"))]
    count = frame.spend(len(pairs), body.line)
    views = []
    for index, item in pairs[:count]:
        inner = loop_env(body, env, item, index)
        views.append(make(inner, body.body, body.condition))
    return views


def resource_views(declaration: A.ResourceDecl, frame: BicepFrame, env: Env, parent: "ResourceInstance | None") -> Any:
    return instances(declaration, frame, env,
                      lambda e, body, filter_: ResourceView(ResourceInstance(declaration, frame, e, body, filter_,
                                                                             parent)))


class ResourceInstance:
    """One resource a declaration deploys (one per loop iteration); identity and body computed on first use."""

    def __init__(self, declaration: A.ResourceDecl, frame: BicepFrame, env: Env, body: A.Node, filter_: Any,
                 parent: "ResourceInstance | None") -> None:
        self.declaration = declaration
        self.frame = frame
        self.env = env
        self.filter = filter_  # None, a filter node, or an Unknown (loop over an unknown array)
        self.if_node = None
        if isinstance(body, A.IfExpr):
            self.if_node, body = body.condition, body.body
        self.obj = body if isinstance(body, A.ObjectLit) else A.ObjectLit(body.line, body.column, [])
        self.lexical_parent = parent
        self.touched: list = []
        self._identity: tuple | None = None
        self._condition: Any = None
        self._body: dict | None = None
        self._evaluating = False
        self._nested: dict[str, Any] = {}

    # -- identity --------------------------------------------------------
    def _compute_identity(self) -> tuple:
        """(type, short name, full name, id, scope id, target)."""
        frame, declaration = self.frame, self.declaration
        env = self.env.tracking(self.touched)
        type_ = declaration.resource_type
        if self.extension is not None:
            return self._extensibility_identity(env)
        parent = self.lexical_parent
        parent_node = self.obj.get("parent")
        if parent_node is not None:
            value = evaluate_or_report(frame, parent_node, env)
            if isinstance(value, ResourceView) and not value.path:
                parent = value.instance
            elif not isinstance(value, Unknown):
                frame.report("parent must be a resource symbol", parent_node.line, "template-error")
        name_node = self.obj.get("name")
        name = frame.safe(name_node, env) if name_node is not None else Unknown("a resource without a name")
        if not isinstance(name, (str, Unknown)):
            frame.report(f"resource name must be a string, not {short(name)}", name_node.line, "template-error")
            name = Unknown(f"invalid name {short(name)}")
        if parent is not None:
            if "/" not in type_:
                type_ = f"{parent.type}/{type_}"
            segment = type_.rsplit("/", 1)[1]
            full = join_name(parent.full_name, name)
            return type_, name, full, join_name(parent.id, join_name(segment, name)), parent.scope_id, parent.target
        if "/" not in type_:
            frame.report(f"'{type_}' is not a full resource type and the resource has no parent", declaration.line,
                         "template-error")
            type_ = f"Unknown.Namespace/{type_}"
        target, scope_id = frame.target, None
        scope_node = self.obj.get("scope")
        if scope_node is not None and not is_text(scope_node):
            target, scope_id = scope_of(frame, scope_node, env)
        if scope_id is None:
            scope_id = target.scope_id
            prefix = target.id_prefix
        else:
            prefix = scope_id
        return type_, name, name, build_id(frame, prefix, type_, name, declaration), scope_id, target

    def _extensibility_identity(self, env: Env) -> tuple:
        """A resource of a Bicep extension (Kubernetes, Microsoft Graph) has no ARM id (as the ARM front-end)."""
        node = self.obj.get("name")
        if node is None:
            metadata = self.obj.get("metadata")
            node = metadata.get("name") if isinstance(metadata, A.ObjectLit) else None
        name = self.frame.safe(node, env) if node is not None else None
        if not isinstance(name, (str, Unknown)):
            name = Unknown("the name of an extensibility resource")
        no_id = Unknown(f"a resource of the '{self.extension}' extension has no ARM id")
        return self.declaration.type_string, name, name, no_id, no_id, self.frame.target

    @property
    def extension(self) -> str | None:
        """The Bicep extension providing this resource's type, or None for an ARM resource."""
        namespace = self.declaration.resource_type.split("/", 1)[0].lower()
        for spec in self.frame.extensions:
            if "kubernetes" in spec and ("." not in namespace or namespace.endswith("k8s.io")):
                return "kubernetes"
            if "graph" in spec and namespace == "microsoft.graph":
                return "microsoftGraph"
        return None

    @property
    def identity(self) -> tuple:
        if self._identity is None:
            self._identity = ("", Unknown("resource identity refers to itself"), Unknown("a resource name"),
                              Unknown("a resource id"), None, self.frame.target)
            self._identity = self._compute_identity()
        return self._identity

    type = property(lambda self: self.identity[0])
    short_name = property(lambda self: self.identity[1])
    full_name = property(lambda self: self.identity[2])
    id = property(lambda self: self.identity[3])
    scope_id = property(lambda self: self.identity[4])
    target = property(lambda self: self.identity[5])

    @property
    def api_version(self) -> str:
        """A nested resource may leave the version out: its parent's applies."""
        if self.declaration.api_version or self.lexical_parent is None:
            return self.declaration.api_version
        return self.lexical_parent.api_version

    def condition(self) -> Any:
        if self._condition is None:
            self._condition = True
            parts = [self.frame.condition]
            if self.lexical_parent is not None:
                parts.append(self.lexical_parent.condition())  # Bicep gives nested resources their parent's condition
            if isinstance(self.filter, Unknown):
                parts.append(self.filter)
            for node in (self.filter if isinstance(self.filter, A.Node) else None, self.if_node):
                if node is not None:
                    value = self.frame.safe(node, self.env)
                    try:
                        parts.append(truth(value, "a condition"))
                    except ExpressionError as error:
                        self.frame.report(str(error), node.line, "template-error")
                        parts.append(Unknown(f"invalid condition {short(value)}"))
            self._condition = combine(*parts)
        return self._condition

    # -- body ------------------------------------------------------------
    def body(self) -> dict:
        if self._body is None:
            if self._evaluating:
                return {}
            self._evaluating = True
            try:
                self._body = self._evaluate_body()
            finally:
                self._evaluating = False
        return self._body

    def _evaluate_body(self) -> dict:
        frame, declaration = self.frame, self.declaration
        env = self.env.tracking(self.touched)
        if self.extension is not None:
            # compiled Bicep puts everything an extensibility resource declares under properties
            declared = {}
            for entry in self.obj.properties:
                if isinstance(entry, A.ObjectProperty) and (entry.key_text or "").lower() not in ("dependson", "parent"):
                    declared[entry.key_text or str(frame.safe(entry.key, env))] = frame.safe(entry.value, env)
            return {"extension": self.extension, "type": self.type, "properties": declared}
        body: dict = {"type": self.type, "apiVersion": self.api_version, "name": self.full_name}
        if declaration.existing:
            body["existing"] = True
        if self.obj.get("scope") is not None and self.scope_id is not None and self.lexical_parent is None \
                and self.obj.get("parent") is None and self.scope_id != self.frame.target.scope_id:
            body["scope"] = self.scope_id
        for entry in self.obj.properties:
            if not isinstance(entry, A.ObjectProperty):
                continue
            key = entry.key_text
            if key is not None and key.lower() in _NOT_IN_BODY and not (key.lower() == "scope" and is_text(entry.value)):
                continue
            if key is None:
                key = frame.safe(entry.key, env)
                key = key if isinstance(key, str) else str(key)
            body[key] = frame.safe(entry.value, env)
        return body

    def declared(self, path: tuple) -> tuple[bool, Any]:
        """(found, value) of ``path`` in the evaluated declaration."""
        if self._evaluating:
            return False, None  # a cycle through this resource's own body: deploy time tells
        node: Any = self.body()
        for key in path:
            if isinstance(node, Unknown):
                return True, node.child(key)
            if isinstance(node, dict) and isinstance(key, str):
                found, node = get_member(node, key)
                if not found:
                    return False, None
            elif isinstance(node, list) and isinstance(key, int) and -len(node) <= key < len(node):
                node = node[key]
            else:
                return False, None
        return True, node

    def depends_on(self) -> tuple:
        ids: list = []
        parent = self.lexical_parent
        parent_node = self.obj.get("parent")
        if parent is None and parent_node is not None:
            value = evaluate_or_report(self.frame, parent_node, self.env, quiet=True)
            parent = value.instance if isinstance(value, ResourceView) else None
        if parent is not None and not parent.declaration.existing:
            ids.append(parent.id)
        return tuple(collect_dependencies(self, ids))

    def nested(self, name: str) -> Any:
        if name not in self._nested:
            declaration = next((e for e in self.obj.properties if isinstance(e, A.ResourceDecl) and e.name == name),
                               None)
            if declaration is None:
                raise ExpressionError(f"resource '{self.declaration.name}' has no nested resource '{name}'")
            self._nested[name] = resource_views(declaration, self.frame, self.env, self)
        return self._nested[name]


def is_text(node: A.Node) -> bool:
    """A string written as ``scope:`` is a property of an extensibility resource (Microsoft Graph), not a scope."""
    return isinstance(node, (A.StringLiteral, A.InterpolatedString))


def collect_dependencies(owner: Any, ids: list) -> list:
    """Explicit ``dependsOn`` plus every symbol the declaration read, as Bicep compiles them."""
    explicit = owner.obj.get("dependsOn")
    touched = list(owner.touched)
    if explicit is not None:
        # each entry on its own: an array literal would turn the symbols it lists into plain values
        entries = explicit.items if isinstance(explicit, A.ArrayLit) else [explicit]
        touched = [evaluate_or_report(owner.frame, entry.value if isinstance(entry, A.Spread) else entry, owner.env,
                                      quiet=True) for entry in entries] + touched
    for item in flatten(touched):
        add_dependency(ids, item, owner)
    return ids


def flatten(items: list) -> list:
    flat: list = []
    for item in items:
        if isinstance(item, list):
            flat.extend(flatten(item))
        else:
            flat.append(item)
    return flat


def add_dependency(ids: list, item: Any, owner: Any) -> None:
    """Add the id ``item`` (a view read by ``owner``'s declaration) makes ``owner`` depend on."""
    if not isinstance(item, View):
        return
    value = item.dependency(owner)
    if value is None:
        return
    if not any(value is known or (isinstance(value, str) and value == known) for known in ids):
        ids.append(value)


def evaluate_or_report(frame: BicepFrame, node: A.Node, env: Env, quiet: bool = False) -> Any:
    try:
        return evaluate(node, env)
    except ExpressionError as error:
        if not quiet:
            frame.report(str(error), getattr(error, "line", node.line), error.kind)
        return Unknown(f"expression error: {error}")


def join_name(parent: Any, child: Any) -> Any:
    if isinstance(parent, Unknown):
        return parent
    if isinstance(child, Unknown):
        return child
    return f"{parent}/{child}"


def build_id(frame: BicepFrame, prefix: Any, type_: str, name: Any, declaration: A.Node) -> Any:
    for part in (prefix, name):
        if isinstance(part, Unknown):
            return Unknown(f"id of a {type_} ({part.origin})")
    try:
        return resource_id("" if prefix in ("/", None) else prefix, type_, [name])
    except ExpressionError as error:
        frame.report(str(error), declaration.line, "template-error")
        return Unknown(f"id of a {type_} ({error})")


def scope_of(frame: BicepFrame, node: A.Node, env: Env) -> tuple[Target, Any]:
    """(target, extension scope id or None) named by a ``scope:`` value."""
    target = frame.target
    if isinstance(node, A.Call) and node.name.lower() in _SCOPE_FUNCTIONS and (
            node.namespace is None or (isinstance(node.namespace, A.Identifier) and node.namespace.name == "az")):
        args = [frame.safe(a, env) for a in node.args]
        if any(not isinstance(a, (str, Unknown)) for a in args):
            frame.report(f"{node.name}() takes names (strings)", node.line, "template-error")
            return target, Unknown("an invalid scope")
        kind = node.name.lower()
        if kind == "resourcegroup":
            if not args:
                return dataclasses.replace(target, kind="resourceGroup"), None
            subscription = args[0] if len(args) == 2 else target.subscription_id
            return dataclasses.replace(target, kind="resourceGroup", subscription_id=subscription,
                                       resource_group=args[-1]), None
        if kind == "subscription":
            return dataclasses.replace(target, kind="subscription",
                                       subscription_id=args[0] if args else target.subscription_id), None
        if kind == "managementgroup":
            return dataclasses.replace(target, kind="managementGroup",
                                       management_group=args[0] if args else target.management_group), None
        return dataclasses.replace(target, kind="tenant"), None
    value = evaluate_or_report(frame, node, env)
    if isinstance(value, ResourceView) and not value.path:
        instance = value.instance
        kind = instance.type.lower()
        if kind == "microsoft.resources/resourcegroups":  # a group symbol: deploy into that group
            return dataclasses.replace(target, kind="resourceGroup", subscription_id=instance.target.subscription_id,
                                       resource_group=instance.short_name), None
        if kind == "microsoft.management/managementgroups":
            return dataclasses.replace(target, kind="managementGroup", management_group=instance.short_name), None
        return target, instance.id
    value = plain(value)
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        found = target_from_scope_string(target, value["id"])
        if found is not None:
            return found, None
    if isinstance(value, str) and value.startswith("/"):
        found = target_from_scope_string(target, value)
        return (found, None) if found is not None else (target, value.rstrip("/"))
    if isinstance(value, Unknown):
        return target, Unknown(f"the scope named by {value.origin}")
    frame.report(f"scope must be a resource or a scope (resourceGroup(), subscription()...), not {short(value)}",
                 node.line, "template-error")
    return target, Unknown("an invalid scope")


def as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]
