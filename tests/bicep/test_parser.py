"""The Bicep parser: every construct of the documented grammar, with its line and column."""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from validator.frontends.bicep import MAX_DEPTH, BicepSyntaxError, parse_bicep
from validator.frontends.bicep import ast as A
from validator.frontends.bicep.ast import dump

CASES = Path(__file__).resolve().parent / "cases"


def value_of(source: str):
    """The value of `var x = <source>`."""
    statement = parse_bicep(f"var x = {source}\n").statements[0]
    assert isinstance(statement, A.VarDecl)
    return statement.value


# -------------------------------------------------------------- expressions

EXPRESSIONS = [
    ("int", "42", "42"),
    ("bools and null", "[true, false, null]", "ArrayLit(items=[true, false, null])"),
    ("identifier vs string", "[name, 'name']", "ArrayLit(items=[name, 'name'])"),
    ("escapes", r"'it\'s\n\t\\ \$x \u{1F600}'", repr("it's\n\t\\ $x \U0001F600")),
    ("dollar without brace is text", "'cost: $5'", repr("cost: $5")),
    ("interpolation", "'a${b}c${d.e}'",
     "InterpolatedString(parts=['a', b, 'c', PropertyAccess(obj=d, name='e'), ''])"),
    ("nested interpolation", "'${'x${y}'}'",
     "InterpolatedString(parts=['', InterpolatedString(parts=['x', y, '']), ''])"),
    ("object in interpolation", "'${{a: 1}.a}'",
     "InterpolatedString(parts=['', PropertyAccess(obj=ObjectLit(properties=[ObjectProperty(key=a, value=1)]), name='a'), ''])"),
    ("multiline string", "'''\nline1\n  it's ${raw}\n'''", repr("line1\n  it's ${raw}\n")),
    ("multiline extra quotes", "''''abc''''", repr("'abc'")),
    ("multiline only a newline", "'''\n'''", repr("")),
    ("interpolated multiline", "$'''\nhi ${name}!'''",
     "InterpolatedString(parts=['hi ', name, '!'], multiline)"),
    ("double-dollar multiline", "$$'''a ${b} $${c}'''",
     "InterpolatedString(parts=['a ${b} ', c, ''], multiline)"),
    ("precedence", "a || b && c == d + e * f",
     "Binary(op='||', left=a, right=Binary(op='&&', left=b, right=Binary(op='==', left=c, "
     "right=Binary(op='+', left=d, right=Binary(op='*', left=e, right=f)))))"),
    ("left associative", "a - b - c", "Binary(op='-', left=Binary(op='-', left=a, right=b), right=c)"),
    ("coalesce loosest", "a ?? b || c", "Binary(op='??', left=a, right=Binary(op='||', left=b, right=c))"),
    ("case-insensitive equality", "a =~ 'x' && b !~ 'y'",
     "Binary(op='&&', left=Binary(op='=~', left=a, right='x'), right=Binary(op='!~', left=b, right='y'))"),
    ("relational", "a <= b", "Binary(op='<=', left=a, right=b)"),
    ("modulo", "a % 2", "Binary(op='%', left=a, right=2)"),
    ("unary", "!-+a", "Unary(op='!', operand=Unary(op='-', operand=Unary(op='+', operand=a)))"),
    ("ternary", "a ? b : c ? d : e",
     "Ternary(condition=a, if_true=b, if_false=Ternary(condition=c, if_true=d, if_false=e))"),
    ("ternary across lines", "a\n  ? b\n  : c", "Ternary(condition=a, if_true=b, if_false=c)"),
    ("call", "concat('a', b)", "Call(name='concat', args=['a', b])"),
    ("namespaced call", "az.resourceGroup().id",
     "PropertyAccess(obj=Call(namespace=az, name='resourceGroup'), name='id')"),
    ("method call", "sa.listKeys().keys[0].value",
     "PropertyAccess(obj=IndexAccess(obj=PropertyAccess(obj=Call(namespace=sa, name='listKeys'), "
     "name='keys'), index=0), name='value')"),
    ("call args across lines", "concat(\n  'a',\n  'b'\n)", "Call(name='concat', args=['a', 'b'])"),
    ("safe access", "a.?b[?0]", "IndexAccess(obj=PropertyAccess(obj=a, name='b', safe), index=0, safe)"),
    ("from-end index", "a[^1]", "IndexAccess(obj=a, index=1, from_end)"),
    ("non-null", "a.b!.c", "PropertyAccess(obj=NonNull(value=PropertyAccess(obj=a, name='b')), name='c')"),
    ("non-null then not-equal", "a! != b", "Binary(op='!=', left=NonNull(value=a), right=b)"),
    ("nested resource accessor", "vault::policy.id",
     "PropertyAccess(obj=ResourceAccess(obj=vault, name='policy'), name='id')"),
    ("lambda", "x => x.enabled", "Lambda(params=[x], body=PropertyAccess(obj=x, name='enabled'))"),
    ("lambda two params", "(a, b) => a + b", "Lambda(params=[a, b], body=Binary(op='+', left=a, right=b))"),
    ("lambda no params", "() => 1", "Lambda(body=1)"),
    ("lambda in call", "filter(xs, x => x.on)",
     "Call(name='filter', args=[xs, Lambda(params=[x], body=PropertyAccess(obj=x, name='on'))])"),
    ("parenthesised is not a lambda", "(a) + b", "Binary(op='+', left=a, right=b)"),
    ("keywords as property names", "a.if.for.resource", "PropertyAccess(obj=PropertyAccess(obj="
     "PropertyAccess(obj=a, name='if'), name='for'), name='resource')"),
    ("object with commas and newlines", "{ a: 1, b: 2\n c: 3\n\n 'd-e': 4, }",
     "ObjectLit(properties=[ObjectProperty(key=a, value=1), ObjectProperty(key=b, value=2), "
     "ObjectProperty(key=c, value=3), ObjectProperty(key='d-e', value=4)])"),
    ("interpolated key", "{ '${k}': v }",
     "ObjectLit(properties=[ObjectProperty(key=InterpolatedString(parts=['', k, '']), value=v)])"),
    ("object spread", "{\n  ...base\n  b: 2\n}",
     "ObjectLit(properties=[Spread(value=base), ObjectProperty(key=b, value=2)])"),
    ("array newlines and commas", "[\n  1\n  2, 3\n]", "ArrayLit(items=[1, 2, 3])"),
    ("array spread", "[...a, 1]", "ArrayLit(items=[Spread(value=a), 1])"),
    ("empty", "[{}, []]", "ArrayLit(items=[ObjectLit(), ArrayLit()])"),
    ("for", "[for x in xs: x.name]",
     "ForExpr(item=x, iterable=xs, body=PropertyAccess(obj=x, name='name'))"),
    ("for with index", "[for (x, i) in range(0, 3): i]",
     "ForExpr(item=x, index=i, iterable=Call(name='range', args=[0, 3]), body=i)"),
    ("filtered for", "[for x in xs: if (x.enabled) {\n  n: x\n}]",
     "ForExpr(item=x, iterable=xs, condition=PropertyAccess(obj=x, name='enabled'), "
     "body=ObjectLit(properties=[ObjectProperty(key=n, value=x)]))"),
    ("comments are trivia", "[ /* one */ 1 // two\n 2 ]", "ArrayLit(items=[1, 2])"),
    ("block comment spanning lines is not a separator", "[1 /* a\nb */, 2]", "ArrayLit(items=[1, 2])"),
]


@pytest.mark.parametrize("source, expected", [case[1:] for case in EXPRESSIONS],
                         ids=[case[0] for case in EXPRESSIONS])
def test_expression(source: str, expected: str) -> None:
    assert dump(value_of(source)) == expected


# --------------------------------------------------------------- statements

STATEMENTS = [
    ("param with default", "param location string = 'westeurope'",
     "ParamDecl(name='location', type=TypeRef(name='string'), default='westeurope')"),
    ("param nullable", "param key string?", "ParamDecl(name='key', type=NullableType(inner=TypeRef(name='string')))"),
    ("param decorators", "@secure()\n@description('k')\nparam key string",
     "ParamDecl(name='key', type=TypeRef(name='string'), decorators=[Decorator(call=Call(name='secure')), "
     "Decorator(call=Call(name='description', args=['k']))])"),
    ("namespaced decorator", "@sys.minValue(1)\nparam n int",
     "ParamDecl(name='n', type=TypeRef(name='int'), decorators=[Decorator(call=Call(namespace=sys, name='minValue', args=[1]))])"),
    ("param resource type", "param sa resource 'Microsoft.Storage/storageAccounts@2023-01-01'",
     "ParamDecl(name='sa', type=ResourceTypeRef(kind='resource', type_string='Microsoft.Storage/storageAccounts@2023-01-01'))"),
    ("param union on following lines", "param mode\n  | 'A'\n  | 'B' = 'A'",
     "ParamDecl(name='mode', type=UnionType(members=[LiteralType(value='A'), LiteralType(value='B')]), default='A')"),
    ("var", "var n = 1", "VarDecl(name='n', value=1)"),
    ("typed var", "var n int = 1", "VarDecl(name='n', type=TypeRef(name='int'), value=1)"),
    ("type union and array", "type t = ('a' | 'b')[]",
     "TypeDecl(name='t', type=ArrayType(item=UnionType(members=[LiteralType(value='a'), LiteralType(value='b')])))"),
    ("object type", "type t = {\n  @minValue(1)\n  days: int\n  'odd-name': string?\n  *: bool\n}",
     "TypeDecl(name='t', type=ObjectType(properties=[TypeProperty(name='days', type=TypeRef(name='int'), "
     "decorators=[Decorator(call=Call(name='minValue', args=[1]))]), TypeProperty(name='odd-name', "
     "type=NullableType(inner=TypeRef(name='string'))), TypeProperty(name='*', type=TypeRef(name='bool'))]))"),
    ("tuple type", "type t = [\n  string\n  -1\n]",
     "TypeDecl(name='t', type=TupleType(items=[TupleItem(type=TypeRef(name='string')), "
     "TupleItem(type=LiteralType(value=Unary(op='-', operand=1)))]))"),
    ("resource-derived type", "type t = resourceInput<'Microsoft.Storage/storageAccounts@2023-01-01'>.properties.*",
     "TypeDecl(name='t', type=TypeAccess(base=TypeAccess(base=ResourceTypeRef(kind='resourceInput', "
     "type_string='Microsoft.Storage/storageAccounts@2023-01-01'), member='properties', kind='property'), "
     "member='*', kind='additional'))"),
    ("qualified type", "type t = sys.string", "TypeDecl(name='t', type=TypeRef(name='sys.string'))"),
    ("non-null type", "type t = u!", "TypeDecl(name='t', type=NonNullType(inner=TypeRef(name='u')))"),
    ("resource", "resource sa 'Microsoft.Storage/storageAccounts@2023-01-01' = {\n  name: 'x'\n}",
     "ResourceDecl(name='sa', type_string='Microsoft.Storage/storageAccounts@2023-01-01', "
     "body=ObjectLit(properties=[ObjectProperty(key=name, value='x')]))"),
    ("existing resource", "resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' existing = {\n"
     "  name: 'rg'\n  scope: subscription()\n}",
     "ResourceDecl(name='rg', type_string='Microsoft.Resources/resourceGroups@2024-03-01', existing, "
     "body=ObjectLit(properties=[ObjectProperty(key=name, value='rg'), "
     "ObjectProperty(key=scope, value=Call(name='subscription'))]))"),
    ("conditional resource", "resource l 'Microsoft.Authorization/locks@2020-05-01' = if (lock) {\n}",
     "ResourceDecl(name='l', type_string='Microsoft.Authorization/locks@2020-05-01', "
     "body=IfExpr(condition=lock, body=ObjectLit()))"),
    ("condition on the next line", "resource l 'A/b@1' =\n  if (c) {\n}",
     "ResourceDecl(name='l', type_string='A/b@1', body=IfExpr(condition=c, body=ObjectLit()))"),
    ("nested resource", "resource v 'A/b@1' = {\n  @description('child')\n  resource c 'cs' = {\n  }\n}",
     "ResourceDecl(name='v', type_string='A/b@1', body=ObjectLit(properties=[ResourceDecl(name='c', "
     "type_string='cs', body=ObjectLit(), decorators=[Decorator(call=Call(name='description', args=['child']))])]))"),
    ("property named resource", "resource v 'A/b@1' = {\n  resource: 1\n}",
     "ResourceDecl(name='v', type_string='A/b@1', body=ObjectLit(properties=[ObjectProperty(key=resource, value=1)]))"),
    ("module", "module m './m.bicep' = {\n  name: 'm'\n}",
     "ModuleDecl(name='m', path='./m.bicep', body=ObjectLit(properties=[ObjectProperty(key=name, value='m')]))"),
    ("registry module loop", "module m 'br/public:avm/res/x:0.1.0' = [for r in rs: {\n}]",
     "ModuleDecl(name='m', path='br/public:avm/res/x:0.1.0', body=ForExpr(item=r, iterable=rs, body=ObjectLit()))"),
    ("output", "output id string = sa.id",
     "OutputDecl(name='id', type=TypeRef(name='string'), value=PropertyAccess(obj=sa, name='id'))"),
    ("output resource", "output r resource 'A/b@1' = sa",
     "OutputDecl(name='r', type=ResourceTypeRef(kind='resource', type_string='A/b@1'), value=sa)"),
    ("func", "func f(a string, b int) string =>\n  '${a}${b}'",
     "FuncDecl(name='f', params=[FuncParam(name='a', type=TypeRef(name='string')), FuncParam(name='b', "
     "type=TypeRef(name='int'))], return_type=TypeRef(name='string'), body=InterpolatedString(parts=['', a, '', b, '']))"),
    ("import symbols", "import {\n  a\n  b as c\n  'not-an-id' as d\n} from 'x.bicep'",
     "ImportDecl(symbols=[ImportedSymbol(name='a'), ImportedSymbol(name='b', alias='c'), "
     "ImportedSymbol(name='not-an-id', alias='d')], source='x.bicep')"),
    ("import wildcard", "import * as ns from 'x.bicep'", "ImportDecl(wildcard_alias='ns', source='x.bicep')"),
    ("extension", "extension microsoftGraphV1", "ExtensionDecl(keyword='extension', spec='microsoftGraphV1')"),
    ("extension with config", "extension 'br:mcr.microsoft.com/bicep/extensions/kubernetes:1.0' with {\n"
     "  kubeConfig: k\n} as k8s",
     "ExtensionDecl(keyword='extension', spec='br:mcr.microsoft.com/bicep/extensions/kubernetes:1.0', "
     "config=ObjectLit(properties=[ObjectProperty(key=kubeConfig, value=k)]), alias='k8s')"),
    ("provider (older keyword)", "provider 'kubernetes@1.0.0' as k8s",
     "ExtensionDecl(keyword='provider', spec='kubernetes@1.0.0', alias='k8s')"),
    ("import (oldest extension form)", "import 'az@1.0.0'", "ExtensionDecl(keyword='import', spec='az@1.0.0')"),
    ("target scope", "targetScope = 'subscription'", "TargetScope(value='subscription')"),
    ("metadata", "metadata owner = 'team'", "Metadata(name='owner', value='team')"),
    ("assert", "assert small = n < 10", "AssertDecl(name='small', value=Binary(op='<', left=n, right=10))"),
    ("test", "test t 'main.bicep' = {\n  params: {}\n}",
     "TestDecl(name='t', path='main.bicep', body=ObjectLit(properties=[ObjectProperty(key=params, value=ObjectLit())]))"),
    ("using", "using './main.bicep'", "UsingDecl(path='./main.bicep')"),
    ("using none", "using none", "UsingDecl()"),
    ("extends", "extends 'base.bicepparam'", "ExtendsDecl(path='base.bicepparam')"),
    ("param assignment", "param vaultName = 'bv'", "ParamAssign(name='vaultName', value='bv')"),
    ("extension config", "extensionConfig k8s with {\n  namespace: 'x'\n}",
     "ExtensionConfig(name='k8s', config=ObjectLit(properties=[ObjectProperty(key=namespace, value='x')]))"),
    ("disable-next-line directive is trivia", "#disable-next-line no-unused-params\nparam p int",
     "ParamDecl(name='p', type=TypeRef(name='int'))"),
]


@pytest.mark.parametrize("source, expected", [case[1:] for case in STATEMENTS],
                         ids=[case[0] for case in STATEMENTS])
def test_statement(source: str, expected: str) -> None:
    statements = parse_bicep(source + "\n").statements
    assert len(statements) == 1
    assert dump(statements[0]) == expected


# ------------------------------------------------------------------- positions

POSITION_SOURCE = """\
targetScope = 'subscription'
@description('vault')
param vaultName string = 'bv-${env}'
var items = [
  1
  'two'
  {
    three: 3
  }
]
resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' existing = {
  name: 'rg'
}
module m './m.bicep' = [for (x, i) in items: if (x != null) {
  name: 'm${i}'
  scope: rg
  params: {
    ...x
    v: x.?v ?? a!.b[^1]
  }
}]
output o string = empty(vaultName) ? 'none' : (vaultName)
func f(a int) int => a + 1
var g = (p, q) => p * q
"""

POSITIONS = [
    ("targetScope", lambda s: s[0], (1, 1)),
    ("decorated param starts at its keyword", lambda s: s[1], (3, 1)),
    ("decorator", lambda s: s[1].decorators[0], (2, 1)),
    ("decorator call after @", lambda s: s[1].decorators[0].call, (2, 2)),
    ("param type", lambda s: s[1].type, (3, 17)),
    ("interpolated default", lambda s: s[1].default, (3, 26)),
    ("interpolation hole", lambda s: s[1].default.parts[1], (3, 32)),
    ("array", lambda s: s[2].value, (4, 13)),
    ("array item int", lambda s: s[2].value.items[0], (5, 3)),
    ("array item string", lambda s: s[2].value.items[1], (6, 3)),
    ("object in array", lambda s: s[2].value.items[2], (7, 3)),
    ("property in nested object", lambda s: s[2].value.items[2].properties[0], (8, 5)),
    ("property value", lambda s: s[2].value.items[2].properties[0].value, (8, 12)),
    ("existing resource", lambda s: s[3], (11, 1)),
    ("resource type string", lambda s: s[3].type_node, (11, 13)),
    ("module", lambda s: s[4], (14, 1)),
    ("for expression", lambda s: s[4].body, (14, 24)),
    ("loop item", lambda s: s[4].body.item, (14, 30)),
    ("loop index", lambda s: s[4].body.index, (14, 33)),
    ("loop iterable", lambda s: s[4].body.iterable, (14, 39)),
    ("loop filter", lambda s: s[4].body.condition, (14, 50)),
    ("loop body", lambda s: s[4].body.body, (14, 61)),
    ("scope property", lambda s: s[4].body.body.properties[1], (16, 3)),
    ("spread", lambda s: s[4].body.body.properties[2].value.properties[0], (18, 5)),
    ("coalesce", lambda s: s[4].body.body.properties[2].value.properties[1].value, (19, 8)),
    ("safe access", lambda s: s[4].body.body.properties[2].value.properties[1].value.left, (19, 8)),
    ("from-end index", lambda s: s[4].body.body.properties[2].value.properties[1].value.right, (19, 16)),
    ("non-null", lambda s: s[4].body.body.properties[2].value.properties[1].value.right.obj.obj, (19, 16)),
    ("output", lambda s: s[5], (22, 1)),
    ("ternary", lambda s: s[5].value, (22, 19)),
    ("call", lambda s: s[5].value.condition, (22, 19)),
    ("call argument", lambda s: s[5].value.condition.args[0], (22, 25)),
    ("else branch inside parentheses", lambda s: s[5].value.if_false, (22, 48)),
    ("func", lambda s: s[6], (23, 1)),
    ("func parameter", lambda s: s[6].params[0], (23, 8)),
    ("func body", lambda s: s[6].body, (23, 22)),
    ("lambda", lambda s: s[7].value, (24, 9)),
    ("lambda parameter", lambda s: s[7].value.params[1], (24, 13)),
]


@pytest.mark.parametrize("select, position", [case[1:] for case in POSITIONS], ids=[case[0] for case in POSITIONS])
def test_position(select, position: tuple[int, int]) -> None:
    node = select(parse_bicep(POSITION_SOURCE).statements)
    assert (node.line, node.column) == position, dump(node)


def test_positions_in_filtered_loop_sample() -> None:
    tree = parse_bicep((CASES / "filtered_loop_and_spread.bicep").read_text(), "filtered_loop_and_spread.bicep")
    param, var, cluster, pools = tree.statements
    assert (param.line, param.column) == (2, 1)
    assert (var.line, var.column) == (3, 1)
    assert (var.value.properties[1].line, var.value.properties[1].key.name) == (5, "vmSize")
    assert cluster.existing and cluster.resource_type == "Microsoft.ContainerService/managedClusters"
    assert cluster.api_version == "2024-02-01"
    assert (pools.line, pools.decorators[0].line, pools.decorators[0].name) == (13, 12, "batchSize")
    loop = pools.body
    assert isinstance(loop, A.ForExpr)
    assert (loop.line, loop.column) == (13, 90)
    assert (loop.item.name, loop.index.name) == ("pool", "i")
    assert (loop.condition.line, loop.condition.column) == (13, 119)
    properties = loop.body.get("properties")
    spread, mode = properties.properties
    assert isinstance(spread, A.Spread) and (spread.line, spread.column) == (17, 5)
    assert isinstance(spread.value, A.Identifier) and (spread.value.line, spread.value.column) == (17, 8)
    assert isinstance(mode.value, A.Ternary) and (mode.line, mode.value.line, mode.value.column) == (18, 18, 11)
    assert tree.comments[0].line == 1 and tree.comments[0].text.startswith("// A filtered")


def test_bicepparam_sample() -> None:
    tree = parse_bicep((CASES / "backup.bicepparam").read_text())
    using, imported, *assigns = tree.statements
    assert isinstance(using, A.UsingDecl) and using.path == "./backup.bicep"
    assert isinstance(imported, A.ImportDecl) and imported.symbols[0].name == "settings"
    assert [(a.name, a.line) for a in assigns] == [("vaultName", 5), ("snapshotResourceGroup", 6), ("tags", 7)]
    owner = assigns[2].value.get("owner")
    assert isinstance(owner, A.Call) and owner.name == "readEnvironmentVariable" and owner.line == 9


def test_main_sample_declarations_and_lines() -> None:
    tree = parse_bicep((CASES / "backup.bicep").read_text())
    summary = [(type(s).__name__, getattr(s, "name", None), s.line) for s in tree.statements]
    assert summary == [
        ("Metadata", "description", 1), ("TargetScope", None, 2), ("ParamDecl", "vaultName", 6),
        ("ParamDecl", "snapshotResourceGroup", 7), ("ParamDecl", "tags", 8), ("ParamDecl", "storageKey", 10),
        ("TypeDecl", "retention", 12), ("FuncDecl", "snapshotRgId", 20), ("VarDecl", "names", 22),
        ("VarDecl", "location", 23), ("ResourceDecl", "vault", 25), ("ModuleDecl", "extension", 49),
        ("OutputDecl", "vaultId", 57), ("OutputDecl", "policyName", 58),
    ]
    vault = tree.statements[10]
    policy = vault.body.properties[-1]
    assert isinstance(policy, A.ResourceDecl) and (policy.name, policy.line, policy.column) == ("policy", 40, 3)
    module = tree.statements[11]
    assert isinstance(module.body, A.IfExpr) and isinstance(module.body.condition, A.Unary)
    principal = module.body.body.get("params").get("principalId")
    assert (principal.line, principal.column) == (52, 18)


def test_every_node_has_a_position() -> None:
    for sample in sorted(CASES.iterdir()):
        tree = parse_bicep(sample.read_text())
        for node in tree.walk():
            assert node.line >= 1 and node.column >= 1, (sample.name, node)


def test_crlf_and_byte_order_mark() -> None:
    tree = parse_bicep("\ufeffparam a int\r\n\r\nvar b = {\r\n  c: 1\r\n}\r\n")
    assert [s.line for s in tree.statements] == [1, 3]
    assert tree.statements[1].value.properties[0].line == 4


def test_multiline_string_advances_lines() -> None:
    tree = parse_bicep("var s = '''\na\nb\n'''\nvar t = 1\n")
    assert tree.statements[0].value.value == "a\nb\n"
    assert tree.statements[1].line == 5


# ---------------------------------------------------------------------- errors

ERRORS = [
    ("unterminated string", "var x = 'abc\n", 1, 9),
    ("unterminated comment", "var x = 1 /* never", 1, 11),
    ("unterminated multiline", "var x = '''abc", 1, 9),
    ("bad escape", "var x = '\\q'", 1, 10),
    ("stray character", "var x = 1 ~ 2", 1, 11),
    ("missing value", "var x =\n", 1, 8),
    ("two statements on a line", "var x = 1 var y = 2", 1, 11),
    ("unknown keyword", "resorce r 'A/b@1' = {}", 1, 1),
    ("double comma in array", "var x = [1,, 2]", 1, 12),
    ("missing separator in object", "var x = { a: 1 b: 2 }", 1, 16),
    ("missing colon", "var x = { a 1 }", 1, 13),
    ("unclosed object", "var x = {\n  a: 1\n", 3, 1),
    ("unclosed call", "var x = f(1, 2", 1, 15),
    ("for without in", "var x = [for a of b: a]", 1, 16),
    ("decorator without declaration", "@description('x')\n", 2, 1),
    ("trailing comma in call", "var x = f(1,)", 1, 13),
    ("decorator on targetScope", "\n@description('x')\ntargetScope = 'tenant'", 2, 1),
    ("comma before a new line (BCP238)", "var x = {\n  a: 1,\n  b: 2\n}", 2, 8),
]


@pytest.mark.parametrize("source, line, column", [case[1:] for case in ERRORS], ids=[case[0] for case in ERRORS])
def test_syntax_error_location(source: str, line: int, column: int) -> None:
    with pytest.raises(BicepSyntaxError) as info:
        parse_bicep(source, "bad.bicep")
    assert (info.value.line, info.value.column) == (line, column), info.value.message
    assert str(info.value).startswith(f"bad.bicep:{line}:{column}: ")


@pytest.mark.parametrize("source", [
    "var x = " + "[" * 5000,
    "var x = " + "(" * 5000 + "1" + ")" * 5000,
    "var x = " + "{a: " * 5000,
    "var x = " + "a ? b : " * 5000 + "c",
    "var x = " + "'${" * 5000 + "1" + "}'" * 5000,
    "var x = " + "x => " * 5000 + "1",
    "type t = " + "(" * 5000 + "int" + ")" * 5000,
    "type t = " + "{\na: " * 5000,
], ids=["arrays", "parens", "objects", "ternaries", "interpolations", "lambdas", "paren types", "object types"])
def test_deep_nesting_is_a_syntax_error_not_a_crash(source: str) -> None:
    with pytest.raises(BicepSyntaxError, match=f"deeper than {MAX_DEPTH}"):
        parse_bicep(source)


def test_long_flat_input_is_linear() -> None:
    source = "var x = " + " + ".join(["1"] * 20000) + "\n" + "var y = a" + ".b" * 20000 + "\n"
    start = time.perf_counter()
    tree = parse_bicep(source)
    assert len(tree.statements) == 2
    assert time.perf_counter() - start < 2.0


def test_thousand_line_file_parses_fast() -> None:
    block = (CASES / "backup.bicep").read_text()
    body = block.split("targetScope = 'resourceGroup'\n", 1)[1]
    # rename the symbols per copy; the parser does not check duplicates, but keep it realistic
    source = "".join(body.replace("vault", f"vault{i}") for i in range(17))
    assert source.count("\n") > 900
    parse_bicep(source)
    start = time.perf_counter()
    parse_bicep(source)
    assert time.perf_counter() - start < 0.1


@pytest.mark.parametrize("path, source, message", [
    ("main.bicep", "param x = 1", "a parameter assignment (param name = value) is not allowed in a .bicep file"),
    ("main.bicep", "using './x.bicep'", "a using statement is not allowed in a .bicep file"),
    ("main.bicepparam", "using 'main.bicep'\nparam x int", "a parameter declaration with a type is not allowed"),
    ("main.bicepparam", "resource r 'A/b@1' = {}", "a resource is not allowed in a .bicepparam file"),
])
def test_statements_of_the_other_file_kind(path: str, source: str, message: str) -> None:
    with pytest.raises(BicepSyntaxError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_bicep(source, path)
    parse_bicep(source)  # without a path both kinds are accepted


def test_is_params() -> None:
    assert parse_bicep("using 'main.bicep'\nparam a = 1").is_params
    assert parse_bicep("param a = 1", "x.bicepparam").is_params
    assert not parse_bicep("param a int", "x.bicep").is_params


def test_a_node_starts_where_its_source_does_parentheses_included() -> None:
    # as in the Bicep compiler's syntax tree: the outer nodes start at '(', not at 'a'
    value = value_of("(a + b) * c")
    assert isinstance(value, A.Binary) and (value.column, value.left.column) == (9, 10)
    access = value_of("(a).b")
    assert isinstance(access, A.PropertyAccess) and access.column == 9
    array_type = parse_bicep("type t = ('a' | 'b')[]").statements[0].type
    assert isinstance(array_type, A.ArrayType) and array_type.column == 10


def test_syntax_error_as_diagnostic() -> None:
    with pytest.raises(BicepSyntaxError) as info:
        parse_bicep("var x = {\n  a 1\n}\n", "/abs/infra/main.bicep")
    diagnostic = info.value.to_diagnostic("infra/main.bicep")
    assert (diagnostic.path, diagnostic.line, diagnostic.kind) == ("infra/main.bicep", 2, "parse-error")
    assert diagnostic.message == "Bicep syntax error at column 5: expected ':' after the property name but found number 1"


def test_every_path_string_is_a_located_node() -> None:
    tree = parse_bicep("using './main.bicep'\nimport * as ns from 'types.bicep'\nextension 'kubernetes@1.0.0'\n")
    using, imported, extension = tree.statements
    assert isinstance(using.path_node, A.StringLiteral) and (using.path_node.line, using.path_node.column) == (1, 7)
    assert (imported.source_node.line, imported.source_node.column) == (2, 21)
    assert (extension.spec_node.line, extension.spec_node.column) == (3, 11)
    assert parse_bicep("extension microsoftGraphV1").statements[0].spec_node is None


def test_mutated_input_raises_only_syntax_errors() -> None:
    # a deterministic fuzz: delete, insert or repeat characters of the samples
    import random

    rnd = random.Random(20261129)
    samples = [path.read_text() for path in sorted(CASES.iterdir())]
    pieces = list("{}[]()'$:,.?!@=><|&^*/%+-\n#\\") + ["'''", "${", "=>", "...", "::", "if", "for", "resource"]
    for _ in range(400):
        text = rnd.choice(samples)
        for _ in range(rnd.randrange(1, 4)):
            at = rnd.randrange(len(text) + 1)
            text = text[:at] + rnd.choice(pieces + [text[at:at + 7], ""]) + text[at + rnd.randrange(3):]
        try:
            parse_bicep(text, rnd.choice(["", "x.bicep", "x.bicepparam"]))
        except BicepSyntaxError as exc:
            assert exc.line >= 1 and exc.column >= 1
