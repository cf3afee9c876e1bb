"""Bicep front-end: parse ``.bicep`` and ``.bicepparam`` files into a located syntax tree.

Public interface: :func:`parse_bicep` and :class:`BicepSyntaxError`; node types live in
:mod:`validator.frontends.bicep.ast`.
"""
from validator.frontends.bicep.errors import BicepSyntaxError
from validator.frontends.bicep.parser import MAX_DEPTH, parse_bicep

__all__ = ["parse_bicep", "BicepSyntaxError", "MAX_DEPTH"]
