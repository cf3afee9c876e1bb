"""Expression corpus written from the ARM template function reference.

Each row is (expression, expected value); most come from the examples of
https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-<area>
(the area is named in each block); the rest pin documented edge cases.
"""
import pytest

from validator.frontends.arm.expressions import evaluate_arm_expression

CONTEXT = {
    "subscriptionId": "00000000-0000-0000-0000-000000000001",
    "resourceGroup": "rg-app",
    "location": "westeurope",
    "tenantId": "tttttttt-0000-0000-0000-000000000000",
    "managementGroup": "mg-root",
    "deploymentName": "main",
    "subscriptionDisplayName": "Production",
    "parameters": {"Names": ["one", "two", "three"], "obj": {"One": "a", "Two": "b", "n": None},
                   "port": 8080},
    "variables": {"prefix": "app"},
}
RG = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-app"

STRING = [  # template-functions-string
    ("[base64('one, two, three')]", "b25lLCB0d28sIHRocmVl"),
    ("[base64ToString('b25lLCB0d28sIHRocmVl')]", "one, two, three"),
    ("[base64ToJson('eyJvbmUiOiAiYSIsICJ0d28iOiAiYiJ9')]", {"one": "a", "two": "b"}),
    ("[concat('prefix', '-', '5yj4yjf5mbg72')]", "prefix-5yj4yjf5mbg72"),
    ("[contains('OneTwoThree', 'e')]", True),
    ("[contains('OneTwoThree', 'z')]", False),
    ("[contains('OneTwoThree', 'one')]", False),  # string search is case-sensitive
    ("[dataUri('Hello')]", "data:text/plain;charset=utf8;base64,SGVsbG8="),
    ("[dataUriToString('data:;base64,SGVsbG8sIFdvcmxkIQ==')]", "Hello, World!"),
    ("[empty('')]", True),
    ("[endsWith('abcdef', 'ef')]", True),
    ("[endsWith('abcdef', 'F')]", True),  # case-insensitive
    ("[endsWith('abcdef', 'e')]", False),
    ("[first('One Two Three')]", "O"),
    ("[first('')]", ""),
    ("[format('{0}, {1}. Formatted number: {2:N0}', 'Hello', 'User', 8175133)]",
     "Hello, User. Formatted number: 8,175,133"),
    ("[format('{0:N2}', 1234)]", "1,234.00"),
    ("[format('{0:D5}-{1:X}-{1:x4}', 42, 255)]", "00042-FF-00ff"),
    ("[format('[{0,5}][{0,-5}] {{literal}}', 42)]", "[   42][42   ] {literal}"),
    ("[format('{0} {1}', true(), 'x')]", "True x"),
    ("[indexOf('test', 't')]", 0),
    ("[indexOf('abcdef', 'CD')]", 2),  # case-insensitive
    ("[indexOf('abcdef', 'z')]", -1),
    ("[join(createArray('a', 'b', 'c'), ',')]", "a,b,c"),
    ("[json('{\"a\": \"b\"}')]", {"a": "b"}),
    ("[json('null')]", None),
    ("[json('[1, true]')]", [1, True]),
    ("[last('One Two Three')]", "e"),
    ("[lastIndexOf('test', 't')]", 3),
    ("[lastIndexOf('abcdef', 'AB')]", 0),
    ("[length('One Two Three')]", 13),
    ("[padLeft('123', 10, '0')]", "0000000123"),
    ("[padLeft('123456', 3, '0')]", "123456"),
    ("[padLeft(7, 3, '0')]", "007"),
    ("[replace('123-123-1234', '-', '')]", "1231231234"),
    ("[replace('123-123-1234', '1234', 'xxxx')]", "123-123-xxxx"),
    ("[skip('one two three', 4)]", "two three"),
    ("[skip('abc', -1)]", "abc"),
    ("[skip('abc', 10)]", ""),
    ("[split('one,two,three', ',')]", ["one", "two", "three"]),
    ("[split('one;two,three', createArray(',', ';'))]", ["one", "two", "three"]),
    ("[startsWith('abcdef', 'AB')]", True),
    ("[string(createObject('valueA', 10, 'valueB', 'Example Text'))]", '{"valueA":10,"valueB":"Example Text"}'),
    ("[string(createArray('a', 'b', 'c'))]", '["a","b","c"]'),
    ("[string(5)]", "5"),
    ("[substring('one two three', 4, 3)]", "two"),
    ("[substring('abc', 1)]", "bc"),
    ("[substring('abc', 3, 0)]", ""),
    ("[take('one two three', 2)]", "on"),
    ("[take('abc', -1)]", ""),
    ("[toLower('One Two Three')]", "one two three"),
    ("[toUpper('One Two Three')]", "ONE TWO THREE"),
    ("[trim('    one two three   ')]", "one two three"),
    ("[uri('http://contoso.com/resources/azuredeploy.json', 'nested/azuredeploy.json')]",
     "http://contoso.com/resources/nested/azuredeploy.json"),
    ("[uri('http://contoso.com/resources/', 'nested/azuredeploy.json')]",
     "http://contoso.com/resources/nested/azuredeploy.json"),
    ("[uriComponent('http://contoso.com/resources/nested/azuredeploy.json')]",
     "http%3A%2F%2Fcontoso.com%2Fresources%2Fnested%2Fazuredeploy.json"),
    ("[uriComponentToString('http%3A%2F%2Fcontoso.com%2Fresources%2Fnested%2Fazuredeploy.json')]",
     "http://contoso.com/resources/nested/azuredeploy.json"),
]

ARRAY = [  # template-functions-array
    ("[array(1)]", [1]),
    ("[array('efgh')]", ["efgh"]),
    ("[array(createObject('a', 'b'))]", [{"a": "b"}]),
    ("[array(createArray(1))]", [1]),
    ("[concat(createArray('1-1', '1-2'), createArray('2-1'))]", ["1-1", "1-2", "2-1"]),
    ("[contains(createArray('one', 'two', 'three'), 'two')]", True),
    ("[contains(createArray('one', 'two', 'three'), 'Two')]", False),
    ("[contains(parameters('obj'), 'ONE')]", True),  # object keys: case-insensitive
    ("[contains(parameters('obj'), 'four')]", False),
    ("[createArray(1, 2, 3)]", [1, 2, 3]),
    ("[createArray()]", []),
    ("[empty(createArray())]", True),
    ("[empty(createObject())]", True),
    ("[empty(null())]", True),
    ("[first(createArray('one', 'two', 'three'))]", "one"),
    ("[first(createArray())]", None),
    ("[flatten(createArray(createArray('a', 'b'), createArray('c'), createArray()))]", ["a", "b", "c"]),
    ("[indexOf(createArray('one', 'two', 'three'), 'two')]", 1),
    ("[indexOf(createArray('one', 'two', 'three'), 'Two')]", -1),  # array items compare exactly
    ("[indexOf(createArray(createArray(1, 2)), createArray(1, 2))]", 0),
    ("[intersection(createArray('one', 'two', 'three'), createArray('two', 'three'))]", ["two", "three"]),
    ("[intersection(createObject('one', 'a', 'two', 'b'), createObject('one', 'a', 'two', 'z'))]", {"one": "a"}),
    ("[last(createArray('one', 'two', 'three'))]", "three"),
    ("[last(createArray())]", None),
    ("[lastIndexOf(createArray('one', 'two', 'one', 'three'), 'one')]", 2),
    ("[length(createArray('a', 'b', 'c'))]", 3),
    ("[length(parameters('obj'))]", 3),
    ("[max(createArray(0, 3, 2, 5, 4))]", 5),
    ("[max(0, 3, 2, 5, 4)]", 5),
    ("[min(createArray(0, 3, 2, 5, 4))]", 0),
    ("[range(1, 3)]", [1, 2, 3]),
    ("[range(5, 0)]", []),
    ("[range(-2, 3)]", [-2, -1, 0]),
    ("[skip(createArray('one', 'two', 'three'), 2)]", ["three"]),
    ("[take(createArray('one', 'two', 'three'), 2)]", ["one", "two"]),
    ("[take(createArray('one'), 5)]", ["one"]),
    ("[union(createArray('one', 'two', 'three'), createArray('three', 'four'))]", ["one", "two", "three", "four"]),
    ("[tryIndexFromEnd(createArray('a', 'b', 'c'), 1)]", "c"),
    ("[tryIndexFromEnd(createArray('a', 'b', 'c'), 4)]", None),
    ("[indexFromEnd(createArray('a', 'b', 'c'), 3)]", "a"),
]

OBJECT = [  # template-functions-object
    ("[createObject('intProp', 1, 'stringProp', 'abc')]", {"intProp": 1, "stringProp": "abc"}),
    ("[items(createObject('item002', 'b', 'item001', 'a'))]",
     [{"key": "item001", "value": "a"}, {"key": "item002", "value": "b"}]),
    ("[objectKeys(createObject('a', 1, 'b', 2))]", ["a", "b"]),
    ("[null()]", None),
    ("[shallowMerge(createArray(createObject('one', 'a'), createObject('two', 'b', 'one', 'c')))]",
     {"one": "c", "two": "b"}),
    ("[shallowMerge(createArray(createObject('a', createObject('x', 1)), createObject('a', createObject('y', 2))))]",
     {"a": {"y": 2}}),
    ("[tryGet(createObject('a', 1), 'a')]", 1),
    ("[tryGet(createObject('a', 1), 'b')]", None),
    ("[tryGet(createArray('x'), 3)]", None),
    ("[union(createObject('one', 'a', 'two', 'b'), createObject('two', 'c', 'three', 'd'))]",
     {"one": "a", "two": "c", "three": "d"}),
    # documented: union merges nested objects recursively
    ("[union(createObject('a', createObject('x', 1)), createObject('a', createObject('y', 2)))]",
     {"a": {"x": 1, "y": 2}}),
    ("[json('{\"a\": {\"b\": [1, 2]}}').a.b[1]]", 2),
]

COMPARISON = [  # template-functions-comparison
    ("[coalesce(null(), null(), 'default')]", "default"),
    ("[coalesce(parameters('obj').n, 1)]", 1),
    ("[coalesce(null(), null())]", None),
    ("[coalesce('', 'x')]", ""),  # empty strings are not null
    ("[equals(1, 1)]", True),
    ("[equals('a', 'a')]", True),
    ("[equals('a', 'A')]", False),  # case-sensitive
    ("[equals(createArray('a', 'b'), createArray('a', 'b'))]", True),
    ("[equals(createObject('a', 1), createObject('a', 1))]", True),
    ("[equals(1, '1')]", False),
    ("[greater(10, 5)]", True),
    ("[greater('A', 'a')]", True),  # the documented example: invariant-culture order
    ("[greaterOrEquals(1, 1)]", True),
    ("[greaterOrEquals('a', 'A')]", False),
    ("[less(1, 2)]", True),
    ("[less('A', 'a')]", False),
    ("[less('a', 'B')]", True),
    ("[lessOrEquals(2, 2)]", True),
]

LOGICAL = [  # template-functions-logical
    ("[and(true(), false())]", False),
    ("[and(true(), true(), true())]", True),
    ("[or(false(), true())]", True),
    ("[not(true())]", False),
    ("[bool('true')]", True),
    ("[bool('False')]", False),
    ("[bool(0)]", False),
    ("[bool(1)]", True),
    ("[if(equals(1, 1), 'yes', 'no')]", "yes"),
    ("[if(false(), div(1, 0), 'safe')]", "safe"),  # only the chosen branch is evaluated
    ("[if(true(), 'safe', fail())]", "safe"),
    ("[true()]", True),
    ("[false()]", False),
]

NUMERIC = [  # template-functions-numeric
    ("[add(5, 3)]", 8),
    ("[sub(7, 3)]", 4),
    ("[mul(5, 3)]", 15),
    ("[div(8, 3)]", 2),
    ("[div(-8, 3)]", -2),  # truncates toward zero
    ("[mod(7, 3)]", 1),
    ("[mod(-7, 3)]", -1),  # sign of the dividend
    ("[int('4')]", 4),
    ("[int(4)]", 4),
    ("[float('3.5')]", 3.5),
    ("[add(-1, 2)]", 1),
]

DATE = [  # template-functions-date
    ("[dateTimeAdd('2020-04-07 14:53:14Z', 'P3Y')]", "4/7/2023 2:53:14 PM"),
    ("[dateTimeAdd('2020-04-07 14:53:14Z', '-PT9H')]", "4/7/2020 5:53:14 AM"),
    ("[dateTimeAdd('2020-04-07 14:53:14Z', 'P1D', 'yyyy-MM-dd')]", "2020-04-08"),
    ("[dateTimeAdd('2020-01-31T00:00:00Z', 'P1M', 'yyyy-MM-dd')]", "2020-02-29"),
    ("[dateTimeFromEpoch(1683040573)]", "2023-05-02T15:16:13Z"),
    ("[dateTimeToEpoch('2023-05-02T15:16:13Z')]", 1683040573),
    ("[dateTimeToEpoch(dateTimeFromEpoch(0))]", 0),
]

LAMBDA = [  # template-functions-lambda
    ("[filter(createArray(1, 2, 3, 4), lambda('x', greater(lambdaVariables('x'), 2)))]", [3, 4]),
    ("[map(createArray('a', 'b'), lambda('x', toUpper(lambdaVariables('x'))))]", ["A", "B"]),
    ("[map(createArray('a', 'b'), lambda('x', 'i', concat(lambdaVariables('x'), string(lambdaVariables('i')))))]",
     ["a0", "b1"]),
    ("[reduce(createArray(1, 2, 3), 0, lambda('cur', 'next', add(lambdaVariables('cur'), lambdaVariables('next'))))]", 6),
    ("[sort(createArray(3, 1, 2), lambda('a', 'b', less(lambdaVariables('a'), lambdaVariables('b'))))]", [1, 2, 3]),
    ("[groupBy(createArray('foo', 'bar', 'baz'), lambda('x', substring(lambdaVariables('x'), 0, 1)))]",
     {"f": ["foo"], "b": ["bar", "baz"]}),
    ("[toObject(createArray(createObject('name', 'a', 'v', 1)), lambda('e', lambdaVariables('e').name))]",
     {"a": {"name": "a", "v": 1}}),
    ("[toObject(createArray('a', 'b'), lambda('e', lambdaVariables('e')), lambda('e', length(lambdaVariables('e'))))]",
     {"a": 1, "b": 1}),
    ("[mapValues(createObject('a', 1, 'b', 2), lambda('v', mul(lambdaVariables('v'), 10)))]", {"a": 10, "b": 20}),
    ("[map(createArray(1), lambda('x', map(createArray(2), lambda('y', add(lambdaVariables('x'), lambdaVariables('y'))))))]",
     [[3]]),
]

SCOPE_AND_DEPLOYMENT = [  # template-functions-scope, template-functions-deployment
    ("[resourceGroup().id]", RG),
    ("[resourceGroup().name]", "rg-app"),
    ("[resourceGroup().location]", "westeurope"),
    ("[subscription().id]", "/subscriptions/00000000-0000-0000-0000-000000000001"),
    ("[subscription().subscriptionId]", "00000000-0000-0000-0000-000000000001"),
    ("[subscription().displayName]", "Production"),
    ("[subscription().tenantId]", "tttttttt-0000-0000-0000-000000000000"),
    ("[tenant().tenantId]", "tttttttt-0000-0000-0000-000000000000"),
    ("[managementGroup().id]", "/providers/Microsoft.Management/managementGroups/mg-root"),
    ("[managementGroup('other').name]", "other"),
    ("[deployment().name]", "main"),
    ("[environment().name]", "AzureCloud"),
    ("[environment().suffixes.storage]", "core.windows.net"),
    ("[environment().authentication.loginEndpoint]", "https://login.microsoftonline.com/"),
    ("[parameters('port')]", 8080),
    ("[parameters('names')[1]]", "two"),  # parameter names are case-insensitive
    ("[variables('PREFIX')]", "app"),
]

RESOURCE = [  # template-functions-resource
    ("[resourceId('Microsoft.Storage/storageAccounts', 'sa1')]",
     RG + "/providers/Microsoft.Storage/storageAccounts/sa1"),
    ("[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet', 'default')]",
     RG + "/providers/Microsoft.Network/virtualNetworks/vnet/subnets/default"),
    ("[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet/default')]",
     RG + "/providers/Microsoft.Network/virtualNetworks/vnet/subnets/default"),
    ("[resourceId('otherRG', 'Microsoft.Storage/storageAccounts', 'sa1')]",
     "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/otherRG/providers/Microsoft.Storage/storageAccounts/sa1"),
    ("[resourceId('sub2', 'otherRG', 'Microsoft.Storage/storageAccounts', 'sa1')]",
     "/subscriptions/sub2/resourceGroups/otherRG/providers/Microsoft.Storage/storageAccounts/sa1"),
    ("[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'b24988ac-6180-42a0-ab88-20f7382dd24c')]",
     "/subscriptions/00000000-0000-0000-0000-000000000001/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c"),
    ("[subscriptionResourceId('Microsoft.Resources/resourceGroups', 'rg2')]",
     "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg2"),
    ("[tenantResourceId('Microsoft.Authorization/policyDefinitions', 'p1')]",
     "/providers/Microsoft.Authorization/policyDefinitions/p1"),
    ("[managementGroupResourceId('Microsoft.Authorization/policyDefinitions', 'p1')]",
     "/providers/Microsoft.Management/managementGroups/mg-root/providers/Microsoft.Authorization/policyDefinitions/p1"),
    ("[extensionResourceId(resourceId('Microsoft.ContainerService/managedClusters', 'aks'), 'Microsoft.Authorization/locks', 'nodelete')]",
     RG + "/providers/Microsoft.ContainerService/managedClusters/aks/providers/Microsoft.Authorization/locks/nodelete"),
    ("[extensionResourceId(resourceGroup().id, 'Microsoft.KubernetesConfiguration/extensions', 'backup')]",
     RG + "/providers/Microsoft.KubernetesConfiguration/extensions/backup"),
]

SYNTAX = [  # template-expressions: escapes, members, safe dereference, case
    ("[[notAnExpression]", "[notAnExpression]"),
    ("plain text", "plain text"),
    ("[missing closing", "[missing closing"),
    ("['it''s']", "it's"),
    ("[concat('[', 'x', ']')]", "[x]"),
    ("[ concat( 'a' , 'b' ) ]", "ab"),
    ("[CONCAT('a', 'b')]", "ab"),
    ("[toLOWER('ABC')]", "abc"),
    ("[parameters('obj').one]", "a"),  # property names are case-insensitive
    ("[parameters('obj')['Two']]", "b"),
    ("[parameters('obj')?.missing]", None),
    ("[parameters('obj').n?.deeper]", None),
    ("[createArray(1, 2)?[5]]", None),
    ("[createArray(createObject('a', createArray(10, 20)))[0].a[1]]", 20),
    ("[string(-5)]", "-5"),
]

CASES = STRING + ARRAY + OBJECT + COMPARISON + LOGICAL + NUMERIC + DATE + LAMBDA + SCOPE_AND_DEPLOYMENT + RESOURCE + SYNTAX


@pytest.mark.parametrize("expression,expected", CASES, ids=[c[0][:60] for c in CASES])
def test_documented_results(expression, expected):
    assert evaluate_arm_expression(expression, CONTEXT) == expected


def test_every_documented_function_has_a_row():
    documented = """base64 base64ToJson base64ToString concat contains dataUri dataUriToString empty endsWith
        first format guid indexOf join json last lastIndexOf length newGuid padLeft replace skip split startsWith
        string substring take toLower toUpper trim uniqueString uri uriComponent uriComponentToString array
        coalesce createArray createObject flatten intersection items max min null objectKeys range shallowMerge
        tryGet union equals greater greaterOrEquals less lessOrEquals and bool false if not or true add copyIndex
        div float int mod mul sub dateTimeAdd dateTimeFromEpoch dateTimeToEpoch utcNow filter groupBy map
        mapValues reduce sort toObject lambda lambdaVariables deployment environment parameters variables
        managementGroup resourceGroup subscription tenant extensionResourceId managementGroupResourceId
        resourceId subscriptionResourceId tenantResourceId reference references pickZones providers""".split()
    written = " ".join(c[0] for c in CASES).lower()
    covered_elsewhere = {"guid", "newguid", "uniquestring", "copyindex", "utcnow", "reference", "references",
                         "pickzones", "providers"}  # see test_hashes.py, test_unknowns.py, test_template.py
    missing = [f for f in documented if f.lower() + "(" not in written and f.lower() not in covered_elsewhere]
    assert not missing


def test_subscription_scope_context():
    context = {"subscriptionId": "s1", "scope": "subscription", "location": "westeurope"}
    assert evaluate_arm_expression("[resourceId('Microsoft.Authorization/roleDefinitions', 'r')]", context) == \
        "/subscriptions/s1/providers/Microsoft.Authorization/roleDefinitions/r"
    assert evaluate_arm_expression("[resourceId('Microsoft.Resources/resourceGroups', 'rg')]", context) == \
        "/subscriptions/s1/resourceGroups/rg"
    assert evaluate_arm_expression("[deployment().location]", context) == "westeurope"
    from validator.frontends.arm.syntax import ExpressionError
    with pytest.raises(ExpressionError, match="not available in a subscription-scope deployment"):
        evaluate_arm_expression("[resourceGroup().id]", context)
