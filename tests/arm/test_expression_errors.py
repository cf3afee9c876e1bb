"""Syntax, type and argument errors are ExpressionError with a message; limits hold."""
import pytest

from validator.frontends.arm.expressions import evaluate_arm_expression
from validator.frontends.arm.syntax import (
    MAX_DEPTH, MAX_EXPRESSION_LENGTH, ExpressionError, UnknownFunctionError,
)

ERRORS = [
    ("[concat('a']", "expected ')'"),
    ("[concat('a',)]", "expected a function call or literal"),
    ("['unterminated]", "unterminated string"),
    ("[concat('a') extra]", "unexpected"),
    ("[1.5]", "floating-point"),
    ("[#]", "unexpected character"),
    ("[]", "expected a function call or literal"),
    ("[substring('abc', 2, 5)]", "substring"),
    ("[substring('abc', -1)]", "substring"),
    ("[add('a', 1)]", "add: argument 1 must be int"),
    ("[add(1)]", "add: expects 2 argument(s)"),
    ("[div(1, 0)]", "division by zero"),
    ("[mod(1, 0)]", "division by zero"),
    ("[int('x')]", "not an integer"),
    ("[json('{bad')]", "invalid JSON"),
    ("[createArray(1)[3]]", "out of range"),
    ("[createArray(1)[-1]]", "out of range"),
    ("[createObject('a', 1).b]", "no property 'b'"),
    ("[createObject('a', 1, 'b')]", "even number"),
    ("[concat(createArray(1), 'a')]", "all arrays or all strings"),
    ("[range(0, 10001)]", "range"),
    ("[padLeft('a', 20000)]", "maximum"),
    ("[parameters('nope')]", "no parameter named 'nope'"),
    ("[variables('nope')]", "no variable named 'nope'"),
    ("[copyIndex()]", "outside"),
    ("[lambdaVariables('x')]", "not a parameter"),
    ("[map(createArray(1), 'notALambda')]", "must be a lambda"),
    ("[base64ToString('***')]", "base64"),
    ("[greater(1, 'a')]", "two ints or two strings"),
    ("[not('true')]", "must be bool"),
    ("[if('x', 1, 2)]", "must be bool"),
    ("[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet')]", "needs 2 name segment"),
    ("[resourceId('rg', 'sa1')]", "no resource type"),
    ("[indexFromEnd(createArray(1), 2)]", "out of range"),
    ("[flatten(createArray(1))]", "must be an array"),
    ("[format('{1}', 'a')]", "out of range"),
    ("[format('{0', 'a')]", "unclosed"),
    ("[dateTimeAdd('not a date', 'P1D')]", "not a valid date-time"),
    ("[dateTimeAdd('2020-01-01', 'P')]", "ISO 8601 duration"),
    ("[mul(9223372036854775807, 2)]", "overflows"),
]


@pytest.mark.parametrize("expression,fragment", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors_are_expression_errors(expression, fragment):
    with pytest.raises(ExpressionError) as caught:
        evaluate_arm_expression(expression, {})
    assert fragment in str(caught.value)


def test_unknown_function_has_its_own_kind():
    with pytest.raises(UnknownFunctionError, match="unknown function 'frobnicate'") as caught:
        evaluate_arm_expression("[frobnicate(1)]", {})
    assert caught.value.kind == "unknown-function"


def test_undeclared_user_function_is_unknown():
    with pytest.raises(UnknownFunctionError, match="unknown function 'ns.f'"):
        evaluate_arm_expression("[ns.f(1)]", {})


def test_deep_nesting_is_an_error_not_a_recursion_error():
    deep = "[" + "concat(" * (MAX_DEPTH + 5) + "'a'" + ")" * (MAX_DEPTH + 5) + "]"
    with pytest.raises(ExpressionError, match="nested deeper"):
        evaluate_arm_expression(deep, {})


def test_long_member_chains_are_bounded():
    chain = "[createObject('a', 1)" + ".a" * (MAX_DEPTH + 5) + "]"
    with pytest.raises(ExpressionError, match="nested deeper"):
        evaluate_arm_expression(chain, {})


def test_overlong_expression_is_rejected():
    text = "['" + "x" * MAX_EXPRESSION_LENGTH + "']"
    with pytest.raises(ExpressionError, match="longer than"):
        evaluate_arm_expression(text, {})


def test_nesting_within_the_limit_works():
    nested = "[" + "concat(" * 50 + "'a'" + ")" * 50 + "]"
    assert evaluate_arm_expression(nested, {}) == "a"


def test_non_string_input():
    with pytest.raises(ExpressionError):
        evaluate_arm_expression(42, {})
