"""guid() and uniqueString() reproduce Azure's values.

Sources of the expected values:
* uniqueString('test') == 'rbgf3xv4ufgzg': stated in the README of a public Go
  tool built on Microsoft's Azure.Deployments.Expression package, and in the
  tests of the arm2tf Terraform provider (``arm2tf_unique_string`` with input
  ["test"]).
* The other uniqueString values: the self-test table of the public
  ``uniquestring.sh`` port, which says it was verified against Bicep output.
* guid(): documented as an RFC 4122 version-5 UUID (SHA-1 of the name in the
  namespace 11fb06fb-712d-4ddd-98c7-e71bbd588830, arguments joined with '-');
  Terraform configurations reproduce ARM role-assignment names with
  ``uuidv5("11fb06fb-...", join("-", [...]))``.  No public table of guid()
  outputs was found, so these expectations are computed independently with
  the standard library's ``uuid.uuid5`` (not with our code).
"""
import uuid

import pytest

from validator.frontends.arm.expressions import evaluate_arm_expression
from validator.frontends.arm.hashes import deterministic_guid, unique_string

UNIQUE_STRINGS = [
    (("test",), "rbgf3xv4ufgzg"),
    (("hello", "world"), "a7wkljktk6wne"),
    (("abc",), "cgtzqvhu4i23s"),
    (("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/my-rg",), "bmg7c6xu4tw46"),
    (("foo", "bar", "baz"), "xzi4ioaxtmth4"),
]


@pytest.mark.parametrize("parts,expected", UNIQUE_STRINGS)
def test_unique_string_known_values(parts, expected):
    assert unique_string(*parts) == expected
    call = "[uniqueString(" + ", ".join(f"'{p}'" for p in parts) + ")]"
    assert evaluate_arm_expression(call, {}) == expected


def test_unique_string_shape():
    for text in ("", "a", "abcdefg", "abcdefgh", "abcdefghi", "ü-unicode"):
        value = unique_string(text)
        assert len(value) == 13 and set(value) <= set("abcdefghijklmnopqrstuvwxyz234567")


def test_unique_string_is_case_sensitive():
    assert unique_string("ABC") != unique_string("abc")


NAMESPACE = uuid.UUID("11fb06fb-712d-4ddd-98c7-e71bbd588830")


@pytest.mark.parametrize("parts", [("a",), ("abc", "efg"), ("/subscriptions/s/resourceGroups/rg", "principal", "role")])
def test_guid_is_version_5_in_the_arm_namespace(parts):
    expected = str(uuid.uuid5(NAMESPACE, "-".join(parts)))
    assert deterministic_guid(*parts) == expected
    call = "[guid(" + ", ".join(f"'{p}'" for p in parts) + ")]"
    assert evaluate_arm_expression(call, {}) == expected
    assert expected[14] == "5"


def test_guid_fixed_value():
    # uuid5(11fb06fb-712d-4ddd-98c7-e71bbd588830, "a-b"), as a regression anchor
    assert evaluate_arm_expression("[guid('a', 'b')]", {}) == "2d796349-8c7e-55ec-9624-54ece82ed031"
