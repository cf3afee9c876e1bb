"""The deterministic hashes behind ``uniqueString()`` and ``guid()``.

Both join their arguments with ``-`` first (documented in
https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-string).

* ``uniqueString``: Azure's 64-bit MurmurHash variant (two 32-bit lanes in the
  style of MurmurHash3 x86, with its own lane constants) over the UTF-8 bytes,
  written as 13 base-32 characters (``a-z2-7``) taken from the high bits down.
  Public re-implementations agree on this (e.g. the ``uniquestring.sh`` and Go
  ``unique_string`` ports checked against Bicep, and PowerShell/DSC).
* ``guid``: an RFC 4122 version-5 (SHA-1, name-based) UUID over the UTF-8 name
  in the namespace ``11fb06fb-712d-4ddd-98c7-e71bbd588830`` (the docs point to
  GuidUtility, RFC 4122 §4.3; Terraform users reproduce role-assignment names
  with ``uuidv5`` and this namespace).
"""
from __future__ import annotations

import uuid

_MASK32 = 0xFFFFFFFF
_MASK64 = 0xFFFFFFFFFFFFFFFF
# Lane constants of Azure's MurmurHash64 (MurmurHash3 x86 mixing, other multipliers).
_K1 = 0x239B961B
_K2 = 0xAB0E9789
_ADD1 = 0x561CCD1B
_ADD2 = 0x0BCAA747
_BASE32 = "abcdefghijklmnopqrstuvwxyz234567"
GUID_NAMESPACE = uuid.UUID("11fb06fb-712d-4ddd-98c7-e71bbd588830")


def _rotate(value: int, bits: int) -> int:
    return ((value << bits) | (value >> (32 - bits))) & _MASK32


def _avalanche(value: int) -> int:
    value ^= value >> 16
    value = (value * 0x85EBCA6B) & _MASK32
    value ^= value >> 13
    value = (value * 0xC2B2AE35) & _MASK32
    return value ^ (value >> 16)


def _mix_lane1(word: int) -> int:
    return (_rotate((word * _K1) & _MASK32, 15) * _K2) & _MASK32


def _mix_lane2(word: int) -> int:
    return (_rotate((word * _K2) & _MASK32, 17) * _K1) & _MASK32


def murmur_hash64(data: bytes) -> int:
    """Azure's 64-bit MurmurHash of ``data`` (seed 0)."""
    h1 = h2 = 0
    full = len(data) - len(data) % 8
    for start in range(0, full, 8):
        word1 = int.from_bytes(data[start:start + 4], "little")
        word2 = int.from_bytes(data[start + 4:start + 8], "little")
        h1 = _rotate(h1 ^ _mix_lane1(word1), 19)
        h1 = ((h1 + h2) * 5 + _ADD1) & _MASK32
        h2 = _rotate(h2 ^ _mix_lane2(word2), 13)
        h2 = ((h2 + h1) * 5 + _ADD2) & _MASK32
    tail = data[full:]
    if tail:
        h1 ^= _mix_lane1(int.from_bytes(tail[:4], "little"))
        if len(tail) > 4:
            h2 ^= _mix_lane2(int.from_bytes(tail[4:], "little"))
    length = len(data) & _MASK32
    h2 ^= length
    h1 = ((h1 ^ length) + h2) & _MASK32
    h2 = (h2 + h1) & _MASK32
    h1, h2 = _avalanche(h1), _avalanche(h2)
    h1 = (h1 + h2) & _MASK32
    h2 = (h2 + h1) & _MASK32
    return (h2 << 32) | h1


def unique_string(*parts: str) -> str:
    """``uniqueString(parts...)``: 13 base-32 characters of the hash of ``'-'.join(parts)``."""
    value = murmur_hash64("-".join(parts).encode("utf-8"))
    letters = []
    for _ in range(13):
        letters.append(_BASE32[value >> 59])
        value = (value << 5) & _MASK64
    return "".join(letters)


def deterministic_guid(*parts: str) -> str:
    """``guid(parts...)``: the version-5 UUID of ``'-'.join(parts)`` in ARM's namespace."""
    return str(uuid.uuid5(GUID_NAMESPACE, "-".join(parts)))
