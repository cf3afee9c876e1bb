"""Evaluating Bicep expressions on the ARM function library and value semantics.

A Bicep expression means what the ARM expression it compiles to means: a call
is the ARM function of that name (``validator.frontends.arm.functions_*``),
``'a${x}'`` is ``format('a{0}', x)``, ``a == b`` is ``equals(a, b)``, ``a ?? b``
is ``coalesce(a, b)``.  Values are JSON values plus ``validator.model.Unknown``;
resource and module symbols evaluate to *views* (:class:`View`) that only this
evaluator sees: ``vault.id`` is the resolved id, ``vault.identity.principalId``
the ``Unknown(ref=<vault id>, path=('identity', 'principalId'))`` that ARM's
``reference(id, '...', 'Full').identity.principalId`` gives.  Errors raise
``ExpressionError`` carrying the line of the innermost failing node.
"""
from __future__ import annotations

import base64
import json
import posixpath
from typing import Any, Callable

from validator.frontends.arm import (
    functions_array, functions_comparison, functions_date, functions_deployment, functions_format,
    functions_lambda, functions_logical, functions_numeric, functions_resource, functions_scope,
    functions_string,
)
from validator.frontends.arm.functions_lambda import LambdaValue
from validator.frontends.arm.syntax import ExpressionError, UnknownFunctionError
from validator.frontends.arm.values import (
    UnknownInside, arm_equals, get_member, is_int, short, to_text, type_name, unknown_from,
)
from validator.frontends.bicep import ast as A
from validator.model import Unknown

MAX_CALL_DEPTH = 32  # user-defined functions and lambdas calling each other
MAX_LOOP = 800  # ARM's copy limit: Bicep loops compile to copy loops
MAX_STRING = 4 * 1024 * 1024  # ARM's template size limit: no deployable string is longer

_FUNCTIONS: dict[str, Callable] = {}
_UNKNOWN_AWARE: set[str] = set()
for _module in (functions_array, functions_comparison, functions_date, functions_deployment, functions_format,
                functions_lambda, functions_logical, functions_numeric, functions_resource, functions_scope,
                functions_string):
    _FUNCTIONS.update(_module.FUNCTIONS)
    _UNKNOWN_AWARE.update(getattr(_module, "UNKNOWN_AWARE", ()))
NAMESPACES = ("az", "sys")


class View:
    """A resource, module or imported file used as a value; never stored in a Resource body."""

    def member(self, name: str, env: "Env", safe: bool) -> Any:
        raise ExpressionError(f"'{name}' is not a member of {self.describe()}")

    def method(self, name: str, args: list, env: "Env") -> Any:
        raise ExpressionError(f"{self.describe()} has no function '{name}'")

    def plain(self) -> Any:
        """The value when used as plain data (stored in a body, passed to a function)."""
        raise ExpressionError(f"{self.describe()} cannot be used as a value here")

    def describe(self) -> str:
        return "this symbol"

    def dependency(self, owner: Any) -> Any:
        """The id a declaration reading this view depends on (None: no dependency)."""
        return None


class Frame:
    """The symbols of one evaluated Bicep file: lazily computed, case-sensitive, cycles detected.

    ``ctx`` is the ``EvalContext`` the ARM functions see (deployment scope,
    placeholders); ``report(message, line, kind)`` records a diagnostic in ``file``.
    """

    _PENDING = object()

    def __init__(self, file: str, ctx: Any, report: Callable, read_file: Callable) -> None:
        self.file = file
        self.ctx = ctx
        self.report = report
        self.read_file = read_file  # (relative path from this file) -> (rel, text) or raise ExpressionError
        self.makers: dict[str, Callable[[], Any]] = {}
        self.values: dict[str, Any] = {}
        self.functions: dict[str, tuple] = {}  # name -> (FuncDecl, Frame it is declared in)

    def define(self, name: str, maker: Callable[[], Any]) -> None:
        self.makers.setdefault(name, maker)

    def lookup(self, name: str) -> Any:
        value = self.values.get(name, None)
        if value is Frame._PENDING:
            raise ExpressionError(f"'{name}' refers to itself (circular reference)")
        if value is not None or name in self.values:
            return value
        maker = self.makers.get(name)
        if maker is None:
            raise ExpressionError(f"'{name}' is not declared in {self.file}")
        self.values[name] = Frame._PENDING
        try:
            value = maker()
        except BaseException:
            del self.values[name]
            raise
        self.values[name] = value
        return value

    def __contains__(self, name: str) -> bool:
        return name in self.makers

    def spend(self, count: int, line: int) -> int:
        """How many of ``count`` loop iterations may run (ARM's per-loop limit; frames may add a budget)."""
        if count > MAX_LOOP:
            self.report(f"loop of {count} items exceeds ARM's limit of {MAX_LOOP}; evaluated the first {MAX_LOOP}",
                        line, "copy-capped")
            return MAX_LOOP
        return count


class Env:
    """Where an expression is evaluated: a frame plus local names (loop items, lambda and function parameters).

    ``touched`` collects the resource and module views an expression reads
    (Bicep's implicit dependencies).  ``derive``/``evaluate``/``lambda_vars``
    let the ARM lambda functions (``map``, ``filter``...) call Bicep lambdas.
    """

    __slots__ = ("frame", "lambda_vars", "depth", "touched")

    def __init__(self, frame: Frame, lambda_vars: dict | None = None, depth: int = 0,
                 touched: list | None = None) -> None:
        self.frame = frame
        self.lambda_vars = lambda_vars or {}
        self.depth = depth
        self.touched = touched

    def derive(self, lambda_vars: dict) -> "Env":
        return Env(self.frame, lambda_vars, self.depth, self.touched)

    def with_locals(self, **values: Any) -> "Env":
        bound = dict(self.lambda_vars)
        bound.update({k.lower(): v for k, v in values.items()})
        return Env(self.frame, bound, self.depth, self.touched)

    def tracking(self, touched: list) -> "Env":
        return Env(self.frame, self.lambda_vars, self.depth, touched)

    def evaluate(self, node: A.Node) -> Any:
        return plain(evaluate(node, self))


def plain(value: Any) -> Any:
    """``value`` with views turned into data (see :meth:`View.plain`)."""
    if isinstance(value, View):
        return value.plain()
    if isinstance(value, list) and value and isinstance(value[0], View):
        return [plain(item) for item in value]
    return value


def evaluate(node: A.Node, env: Env) -> Any:
    """The value of a Bicep expression node (may be a View; ``plain`` it before storing)."""
    try:
        return _DISPATCH[type(node)](node, env)
    except ExpressionError as error:
        if not hasattr(error, "line"):
            error.line = node.line  # type: ignore[attr-defined]
        raise
    except KeyError as error:
        if type(node) not in _DISPATCH:
            raise ExpressionError(f"{type(node).__name__} is not an expression") from None
        raise ExpressionError(f"missing key {error}") from None


def _literal(node, env):
    return node.value


def _null(node, env):
    return None


def _identifier(node: A.Identifier, env: Env) -> Any:
    name = node.name
    local = env.lambda_vars.get(name.lower(), _MISSING)
    if local is not _MISSING:
        return local
    value = env.frame.lookup(name)
    if env.touched is not None and (isinstance(value, View) or (isinstance(value, list) and value
                                                                and isinstance(value[0], View))):
        env.touched.append(value)
    return value


_MISSING = object()


def _interpolated(node: A.InterpolatedString, env: Env) -> Any:
    pieces = []
    for part in node.parts:
        if isinstance(part, str):
            pieces.append(part)
            continue
        value = plain(evaluate(part, env))
        if isinstance(value, Unknown):
            return unknown_from("format", value)
        try:
            pieces.append(to_text(value))
        except UnknownInside:
            return unknown_from("format", value)
    text = "".join(pieces)
    if len(text) > MAX_STRING:
        raise ExpressionError(f"string of {len(text)} characters is longer than a template may be")
    return text


def object_key(key: A.Node, env: Env) -> Any:
    if isinstance(key, A.Identifier):
        return key.name
    if isinstance(key, A.StringLiteral):
        return key.value
    value = plain(evaluate(key, env))
    if isinstance(value, Unknown):
        return str(value)
    if not isinstance(value, str):
        raise ExpressionError(f"an object key must be a string, not {type_name(value)}")
    return value


def _object(node: A.ObjectLit, env: Env) -> dict:
    result: dict = {}
    for entry in node.properties:
        if isinstance(entry, A.ObjectProperty):
            result[object_key(entry.key, env)] = _item(entry.value, env)
        elif isinstance(entry, A.Spread):
            value = plain(evaluate(entry.value, env))
            if isinstance(value, Unknown):
                return unknown_from("spread", value)
            if not isinstance(value, dict):
                raise ExpressionError(f"only an object can be spread into an object, not {type_name(value)}")
            result.update(value)
        # nested resource declarations are resources, not values
    return result


def _array(node: A.ArrayLit, env: Env) -> Any:
    result: list = []
    for item in node.items:
        if isinstance(item, A.Spread):
            value = plain(evaluate(item.value, env))
            if isinstance(value, Unknown):
                return unknown_from("spread", value)
            if not isinstance(value, list):
                raise ExpressionError(f"only an array can be spread into an array, not {type_name(value)}")
            result.extend(value)
        else:
            result.append(_item(item, env))
    return result


def _item(node: A.Node, env: Env) -> Any:
    """A property value or array item: like an ARM JSON leaf, its error is reported and it is Unknown."""
    try:
        return plain(evaluate(node, env))
    except ExpressionError as error:
        env.frame.report(str(error), getattr(error, "line", node.line), error.kind)
        return Unknown(f"expression error: {error}")


def loop_items(node: A.ForExpr, env: Env) -> Any:
    """(item, index) pairs of a for-expression, or an Unknown when the iterable is unknown.

    More than ``MAX_LOOP`` items raise nothing: the caller is told by the third element."""
    iterable = plain(evaluate(node.iterable, env))
    if isinstance(iterable, Unknown):
        return iterable
    if not isinstance(iterable, list):
        raise ExpressionError(f"a for-expression iterates over an array, not {type_name(iterable)} {short(iterable)}")
    return list(enumerate(iterable))


def loop_env(node: A.ForExpr, env: Env, item: Any, index: Any) -> Env:
    names = {}
    if node.item is not None:
        names[node.item.name] = item
    if node.index is not None:
        names[node.index.name] = index
    return env.with_locals(**names)


def _for(node: A.ForExpr, env: Env) -> Any:
    pairs = loop_items(node, env)
    if isinstance(pairs, Unknown):
        return unknown_from("for", pairs)
    pairs = pairs[:env.frame.spend(len(pairs), node.line)]
    result = []
    for index, item in pairs:
        inner = loop_env(node, env, item, index)
        if node.condition is not None:
            keep = plain(evaluate(node.condition, inner))
            if isinstance(keep, Unknown):
                return unknown_from("for", keep)
            if keep is not True:
                continue
        result.append(plain(evaluate(node.body, inner)))
    return result


def truth(value: Any, what: str) -> Any:
    """A bool or an Unknown; anything else is an error."""
    if isinstance(value, (bool, Unknown)):
        return value
    raise ExpressionError(f"{what} must be a bool, not {type_name(value)} {short(value)}")


def _ternary(node: A.Ternary, env: Env) -> Any:
    condition = truth(plain(evaluate(node.condition, env)), "a condition")
    if isinstance(condition, Unknown):
        return unknown_from("if", condition)
    return evaluate(node.if_true if condition else node.if_false, env)


_ARITHMETIC = {"+": "add", "-": "sub", "*": "mul", "/": "div", "%": "mod",
               "<": "less", "<=": "lessOrEquals", ">": "greater", ">=": "greaterOrEquals"}


def _binary(node: A.Binary, env: Env) -> Any:
    op = node.op
    if op in ("&&", "||"):
        left = truth(plain(evaluate(node.left, env)), f"the left side of '{op}'")
        decided = left is False if op == "&&" else left is True
        if decided:
            return left  # short-circuit, as the compiled and()/or() do
        right = truth(plain(evaluate(node.right, env)), f"the right side of '{op}'")
        if isinstance(left, Unknown):
            if right is (op == "||"):
                return right
            return unknown_from(op, left)
        return right
    if op == "??":
        left = plain(evaluate(node.left, env))
        if left is None:
            return evaluate(node.right, env)
        if isinstance(left, Unknown):
            return unknown_from("coalesce", left)  # it may turn out null
        return left
    left, right = plain(evaluate(node.left, env)), plain(evaluate(node.right, env))
    if op in ("==", "!=", "=~", "!~"):
        if isinstance(left, Unknown) or isinstance(right, Unknown):
            return unknown_from("equals", left, right)
        if op in ("=~", "!~"):
            if not isinstance(left, str) or not isinstance(right, str):
                raise ExpressionError(f"'{op}' compares strings, not {type_name(left)} and {type_name(right)}")
            equal = left.lower() == right.lower()
        else:
            try:
                equal = arm_equals(left, right)
            except UnknownInside:
                return unknown_from("equals", left, right)
            if isinstance(left, (dict, list)) and (_has_unknown(left) or _has_unknown(right)):
                return unknown_from("equals", left, right)
        return equal if op in ("==", "=~") else not equal
    function = _ARITHMETIC.get(op)
    if function is None:
        raise ExpressionError(f"unsupported operator '{op}'")
    return call_function(function, [left, right], env)


def _has_unknown(value: Any) -> bool:
    from validator.model import contains_unknown
    return contains_unknown(value)


def _unary(node: A.Unary, env: Env) -> Any:
    value = plain(evaluate(node.operand, env))
    if isinstance(value, Unknown):
        return unknown_from(node.op, value)
    if node.op == "!":
        return not truth(value, "the operand of '!'")
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise ExpressionError(f"'{node.op}' applies to numbers, not {type_name(value)}")
    return -value if node.op == "-" else value


def _non_null(node: A.NonNull, env: Env) -> Any:
    return evaluate(node.value, env)


def _safe_chain(node: A.Node) -> bool:
    """True when ``node`` is an access chain with a ``.?``/``[?]`` in it: null then flows to the end."""
    while isinstance(node, (A.PropertyAccess, A.IndexAccess, A.NonNull)):
        if getattr(node, "safe", False):
            return True
        node = node.value if isinstance(node, A.NonNull) else node.obj
    return False


def member(target: Any, name: Any, safe: bool, env: Env) -> Any:
    """``target.name`` (or ``target[name]``) with ARM's case-insensitive object lookup."""
    if isinstance(target, View):
        return target.member(name, env, safe)
    if isinstance(target, Unknown):
        return target.child(name)
    if safe and not isinstance(target, (dict, list)):
        return None  # .? compiles to tryGet(): null on anything that has no members
    if isinstance(target, dict):
        if not isinstance(name, str):
            raise ExpressionError(f"cannot index an object with {type_name(name)} {short(name)}")
        found, value = get_member(target, name)
        if found:
            return value
        if safe:
            return None
        raise ExpressionError(f"the object has no property '{name}' (properties: {', '.join(map(str, target)) or 'none'})")
    if isinstance(target, list):
        if not is_int(name):
            raise ExpressionError(f"cannot index an array with {type_name(name)} {short(name)}")
        if 0 <= name < len(target):
            return target[name]
        if safe:
            return None
        raise ExpressionError(f"index {name} is out of range for an array of length {len(target)}")
    raise ExpressionError(f"cannot access '{name}' on {type_name(target)} {short(target)}")


def _property(node: A.PropertyAccess, env: Env) -> Any:
    target = evaluate(node.obj, env)
    return member(target, node.name, node.safe or (target is None and _safe_chain(node.obj)), env)


def _index(node: A.IndexAccess, env: Env) -> Any:
    target = evaluate(node.obj, env)
    if target is None and (node.safe or _safe_chain(node.obj)):
        return None
    key = plain(evaluate(node.index, env))
    if isinstance(key, Unknown):
        return unknown_from("index", key)
    if env.touched is not None and isinstance(target, list) and is_int(key) and target \
            and isinstance(target[0], View) and -len(target) <= key < len(target):
        # one instance of a resource loop: depend on that instance only
        for i in range(len(env.touched) - 1, -1, -1):
            if env.touched[i] is target:
                env.touched[i] = target[-key if node.from_end else key]
                break
    if node.from_end:
        if isinstance(target, Unknown):
            return unknown_from("index", target)
        if not isinstance(target, list) or not is_int(key):
            raise ExpressionError("[^i] indexes an array from its end with an int")
        if not 1 <= key <= len(target):
            if node.safe:
                return None
            raise ExpressionError(f"index ^{key} is out of range for an array of length {len(target)}")
        return target[len(target) - key]
    return member(target, key, node.safe, env)


def _resource_access(node: A.ResourceAccess, env: Env) -> Any:
    target = evaluate(node.obj, env)
    if not isinstance(target, View) or not hasattr(target, "nested"):
        raise ExpressionError(f"'::{node.name}' needs a resource on its left")
    value = target.nested(node.name)  # type: ignore[attr-defined]
    if env.touched is not None:
        # parent::child depends on the child (which depends on its parent), not on the parent itself
        for i in range(len(env.touched) - 1, -1, -1):
            if env.touched[i] is target:
                del env.touched[i]
                break
        env.touched.append(value)
    return value


def _lambda(node: A.Lambda, env: Env) -> LambdaValue:
    return LambdaValue(tuple(p.name for p in node.params), node.body, env)


def _call(node: A.Call, env: Env) -> Any:
    namespace = node.namespace
    if namespace is None:
        found = env.frame.functions.get(node.name)
        if found is not None:
            return call_user_function(found, node, env)
        return call_builtin(node, env)
    if isinstance(namespace, A.Identifier) and namespace.name in NAMESPACES \
            and namespace.name not in env.frame and namespace.name.lower() not in env.lambda_vars:
        return call_builtin(node, env)
    target = evaluate(namespace, env)
    if isinstance(target, View):
        return target.method(node.name, [plain(evaluate(a, env)) for a in node.args], env)
    if isinstance(target, Unknown):
        return unknown_from(node.name, target)
    raise ExpressionError(f"'{node.name}' cannot be called on {type_name(target)}")


def call_user_function(found: tuple, node: A.Call, env: Env) -> Any:
    declaration, frame = found
    return apply_user_function(declaration, frame, [plain(evaluate(a, env)) for a in node.args], env)


def apply_user_function(declaration: A.FuncDecl, frame: Frame, args: list, env: Env) -> Any:
    """A ``func`` applied to evaluated arguments; it sees its parameters and its own file's declarations."""
    if env.depth >= MAX_CALL_DEPTH:
        raise ExpressionError(f"user-defined functions nested deeper than {MAX_CALL_DEPTH} calls")
    if len(declaration.params) != len(args):
        raise ExpressionError(f"{declaration.name}: expects {len(declaration.params)} argument(s), got {len(args)}")
    values = {p.name.lower(): a for p, a in zip(declaration.params, args)}
    return plain(evaluate(declaration.body, Env(frame, values, env.depth + 1, env.touched)))


def call_builtin(node: A.Call, env: Env) -> Any:
    key = node.name.lower()
    special = _BICEP_ONLY.get(key)
    if special is not None:
        return special(node, env)
    return call_function(node.name, [plain(evaluate(a, env)) for a in node.args], env)


def call_function(name: str, args: list, env: Env) -> Any:
    """An ARM function by name on evaluated arguments (Unknown arguments give an Unknown)."""
    key = name.lower()
    function = _FUNCTIONS.get(key)
    if function is None:
        if key.startswith("list"):  # list* actions read deployed resources
            return Unknown(f"{name}(...)")
        raise UnknownFunctionError(f"unknown function '{name}'")
    if key not in _UNKNOWN_AWARE and any(isinstance(arg, Unknown) for arg in args):
        return unknown_from(name, *args)
    try:
        return function(env.frame.ctx, args)
    except UnknownInside:
        return unknown_from(name, *args)


# ------------------------------------------------------------ Bicep-only functions
# (https://learn.microsoft.com/azure/azure-resource-manager/bicep/bicep-functions)

def _args(node: A.Call, env: Env, low: int, high: int) -> list:
    if not low <= len(node.args) <= high:
        raise ExpressionError(f"{node.name}: expects {low} to {high} argument(s), got {len(node.args)}")
    return [plain(evaluate(a, env)) for a in node.args]


def _load(node: A.Call, env: Env) -> tuple[str, str]:
    args = _args(node, env, 1, 3)
    if not isinstance(args[0], str):
        raise ExpressionError(f"{node.name}: the path must be a string literal")
    return env.frame.read_file(args[0])


def _load_text(node, env):
    return _load(node, env)[1]


def _load_base64(node, env):
    return base64.b64encode(_load(node, env)[1].encode("utf-8")).decode("ascii")


def _json_path(value: Any, node: A.Call, env: Env) -> Any:
    if len(node.args) < 2:
        return value
    path = plain(evaluate(node.args[1], env))
    if not isinstance(path, str):
        return value
    for part in [p for p in path.lstrip("$").split(".") if p]:
        value = member(value, part, False, env)
    return value


def _load_json(node, env):
    rel, text = _load(node, env)
    try:
        value = json.loads(text)
    except ValueError as error:
        raise ExpressionError(f"loadJsonContent: {rel} is not JSON ({error})") from None
    return _json_path(value, node, env)


def _load_yaml(node, env):
    import yaml  # only templates that load YAML pay for it

    rel, text = _load(node, env)
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ExpressionError(f"loadYamlContent: {rel} is not YAML ({error})") from None
    return _json_path(value, node, env)


def _environment_variable(node, env):
    args = _args(node, env, 1, 2)
    return Unknown(f"environment variable {short(args[0])} at deployment time")


def _secret(node, env):
    return Unknown(f"{node.name}(...): a Key Vault secret")


def _external(node, env):
    return Unknown(f"{node.name}(...): supplied by an external tool")


def _any(node, env):
    return _args(node, env, 1, 1)[0]


def _nameof(node, env):
    if len(node.args) != 1:
        raise ExpressionError("nameof: expects 1 argument")
    arg = node.args[0]
    if isinstance(arg, A.Identifier):
        return arg.name
    if isinstance(arg, (A.PropertyAccess, A.ResourceAccess)):
        return arg.name
    if isinstance(arg, A.IndexAccess) and isinstance(arg.index, A.StringLiteral):
        return arg.index.value
    raise ExpressionError("nameof: expects a symbol or a property access")


def _deployer(node, env):
    _args(node, env, 0, 0)
    return {"objectId": Unknown("deployer().objectId: whoever deploys"), "tenantId": env.frame.ctx.tenant_id,
            "userPrincipalName": Unknown("deployer().userPrincipalName: whoever deploys")}


def _fail(node, env):
    args = _args(node, env, 1, 1)
    raise ExpressionError(f"fail(): {short(args[0], 200)}")


def _network(name: str, value: Any) -> Any:
    import ipaddress

    if not isinstance(value, str):
        raise ExpressionError(f"{name}: the network must be a CIDR string, not {type_name(value)}")
    try:
        return ipaddress.ip_network(value, strict=False)
    except ValueError as error:
        raise ExpressionError(f"{name}: {error}") from None


def _cidr_args(node: A.Call, env: Env, count: int) -> list | Unknown:
    args = _args(node, env, count, count)
    for arg in args:
        if isinstance(arg, Unknown):
            return unknown_from(node.name, arg)
    return args


def _parse_cidr(node, env):
    args = _cidr_args(node, env, 1)
    if isinstance(args, Unknown):
        return args
    network = _network("parseCidr", args[0])
    result = {"network": str(network.network_address), "netmask": str(network.netmask),
              "firstUsable": str(network.network_address + (1 if network.num_addresses > 2 else 0)),
              "lastUsable": str(network.broadcast_address - (1 if network.version == 4 and network.num_addresses > 2 else 0)),
              "cidr": network.prefixlen}
    if network.version == 4:
        result["broadcast"] = str(network.broadcast_address)
    return result


def _cidr_subnet(node, env):
    args = _cidr_args(node, env, 3)
    if isinstance(args, Unknown):
        return args
    network, prefix, index = _network("cidrSubnet", args[0]), args[1], args[2]
    if not is_int(prefix) or not is_int(index) or not network.prefixlen <= prefix <= network.max_prefixlen:
        raise ExpressionError(f"cidrSubnet: {short(prefix)} is not a prefix length within {network}")
    if not 0 <= index < 2 ** (prefix - network.prefixlen):
        raise ExpressionError(f"cidrSubnet: index {index} is out of range for /{prefix} subnets of {network}")
    start = network.network_address + index * 2 ** (network.max_prefixlen - prefix)
    return f"{start}/{prefix}"


def _cidr_host(node, env):
    args = _cidr_args(node, env, 2)
    if isinstance(args, Unknown):
        return args
    network, index = _network("cidrHost", args[0]), args[1]
    if not is_int(index) or not 0 <= index < max(network.num_addresses - 2, 1):
        raise ExpressionError(f"cidrHost: index {short(index)} is out of range for {network}")
    return str(network.network_address + index + 1)  # host 0 is the first usable address


_BICEP_ONLY: dict[str, Callable] = {
    "parsecidr": _parse_cidr,
    "cidrsubnet": _cidr_subnet,
    "cidrhost": _cidr_host,
    "loadtextcontent": _load_text,
    "loadfileasbase64": _load_base64,
    "loadjsoncontent": _load_json,
    "loadyamlcontent": _load_yaml,
    "readenvironmentvariable": _environment_variable,
    "getsecret": _secret,
    "externalinput": _external,
    "any": _any,
    "nameof": _nameof,
    "deployer": _deployer,
    "fail": _fail,
}

_DISPATCH: dict[type, Callable] = {
    A.StringLiteral: _literal,
    A.IntLiteral: _literal,
    A.BoolLiteral: _literal,
    A.NullLiteral: _null,
    A.Identifier: _identifier,
    A.InterpolatedString: _interpolated,
    A.ObjectLit: _object,
    A.ArrayLit: _array,
    A.ForExpr: _for,
    A.Ternary: _ternary,
    A.Binary: _binary,
    A.Unary: _unary,
    A.NonNull: _non_null,
    A.PropertyAccess: _property,
    A.IndexAccess: _index,
    A.ResourceAccess: _resource_access,
    A.Lambda: _lambda,
    A.Call: _call,
}


def resolve_path(file: str, relative: str) -> str | None:
    """``relative`` (as written in ``file``) relative to the scanned root; None when it leaves the root."""
    if relative.startswith("/") or "://" in relative:
        return None
    target = posixpath.normpath(posixpath.join(posixpath.dirname(file), relative))
    if target == ".." or target.startswith("../"):
        return None
    return target
