"""Bicep tokenizer: turns source text into a flat token list for the recursive-descent parser.

Newlines are tokens because Bicep uses them as separators (statements, object
properties, array items); the parser decides where they are insignificant.
Strings with ``${...}`` come out as pieces (left, middle, right) around the
tokens of their expressions, the way the Bicep compiler's own lexer does it,
so interpolations nest without recursion here.

A token is a tuple ``(kind, value, line, column, multiline)``: ``kind`` is
``ID``, ``INT``, ``STR`` (a whole string), ``STRL``/``STRM``/``STRR`` (the
pieces of an interpolated string), ``NL``, ``EOF`` or the punctuation itself
(``{``, ``=>``, ``.?``...).  ``value`` is the identifier, the digits or the
decoded string text.  Lines and columns are 1-based.
"""
from __future__ import annotations

import re

from validator.frontends.bicep.errors import BicepSyntaxError

_MAIN = re.compile(
    r"(?P<ws>[ \t\f\v\u00a0\ufeff]+)"
    r"|(?P<nl>\r\n|\n|\r)"
    r"|(?P<lc>//[^\r\n]*)"
    r"|(?P<bc>/\*)"
    r"|(?P<dir>\#[^\r\n]*)"
    r"|(?P<id>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<int>[0-9]+)"
    r"|(?P<ml>\$*''')"
    r"|(?P<sq>')"
    r"|(?P<op>\.\.\.|\?\?|\.\?|::|=>|==|!=|=~|!~|<=|>=|&&|\|\||\[\?\^|\[\?|\[\^"
    r"|[{}\[\]().,:?!=<>+\-*/%|@])"
)
_PLAIN = re.compile(r"[^'\\$\r\n]+")
_UNICODE_ESCAPE = re.compile(r"\{([0-9A-Fa-f]{1,6})\}")
_ESCAPES = {"\\": "\\", "'": "'", "n": "\n", "r": "\r", "t": "\t", "$": "$"}


class _Lexer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1
        self.line_start = 0  # offset of the first character of the current line
        self.tokens: list[tuple] = []
        self.comments: list[tuple[int, int, str]] = []
        # open interpolations, innermost last: [multiline, dollars, brace depth]
        self.holes: list[list] = []

    def column(self, pos: int) -> int:
        return pos - self.line_start + 1

    def error(self, message: str, pos: int) -> BicepSyntaxError:
        line_start = self.text.rfind("\n", 0, pos) + 1
        line = self.text.count("\n", 0, pos) + 1
        return BicepSyntaxError(message, line, pos - line_start + 1)

    def advance_lines(self, start: int, end: int) -> None:
        """Account for newlines inside a multi-line token (block comment, ''' string)."""
        count = self.text.count("\n", start, end)
        if count:
            self.line += count
            self.line_start = self.text.rfind("\n", start, end) + 1

    def run(self) -> list[tuple]:
        text = self.text
        n = len(text)
        tokens = self.tokens
        match = _MAIN.match
        while self.pos < n:
            pos = self.pos
            m = match(text, pos)
            if m is None:
                raise self.error(f"unexpected character {text[pos]!r}", pos)
            kind = m.lastgroup
            end = m.end()
            if kind == "ws":
                self.pos = end
            elif kind == "nl":
                tokens.append(("NL", None, self.line, self.column(pos), False))
                self.pos = end
                self.line += 1
                self.line_start = end
            elif kind == "id":
                tokens.append(("ID", m.group(), self.line, self.column(pos), False))
                self.pos = end
            elif kind == "op":
                op = m.group()
                if self.holes and op == "{":
                    self.holes[-1][2] += 1
                elif self.holes and op == "}":
                    hole = self.holes[-1]
                    if hole[2] == 0:
                        self.holes.pop()
                        self.string_piece(end, pos, hole[0], hole[1], first=False)
                        continue
                    hole[2] -= 1
                tokens.append((op, op, self.line, self.column(pos), False))
                self.pos = end
            elif kind == "int":
                tokens.append(("INT", m.group(), self.line, self.column(pos), False))
                self.pos = end
            elif kind == "sq":
                self.string_piece(end, pos, False, 0, first=True)
            elif kind == "ml":
                self.string_piece(end, pos, True, end - pos - 3, first=True)
            elif kind == "lc":
                self.comments.append((self.line, self.column(pos), m.group()))
                self.pos = end
            elif kind == "dir":
                self.comments.append((self.line, self.column(pos), m.group()))
                self.pos = end
            else:  # block comment
                close = text.find("*/", end)
                if close < 0:
                    raise self.error("unterminated block comment", pos)
                self.comments.append((self.line, self.column(pos), text[pos:close + 2]))
                self.advance_lines(pos, close + 2)
                self.pos = close + 2
        if self.holes:
            raise self.error("unterminated string interpolation", n)
        tokens.append(("EOF", None, self.line, self.column(n), False))
        return tokens

    def string_piece(self, pos: int, token_pos: int, multiline: bool, dollars: int,
                     first: bool) -> None:
        """Read string text from ``pos`` up to its end or the next ``${``; emit the piece."""
        line, column = self.line, self.column(token_pos)
        if multiline:
            body, end, hole = self.multiline_text(pos, token_pos, dollars, first)
        else:
            body, end, hole = self.quoted_text(pos, token_pos)
        if hole:
            kind = "STRL" if first else "STRM"
            self.holes.append([multiline, dollars, 0])
        else:
            kind = "STR" if first else "STRR"
        self.tokens.append((kind, body, line, column, multiline))
        if multiline:
            self.advance_lines(token_pos, end)
        self.pos = end

    def quoted_text(self, pos: int, token_pos: int) -> tuple[str, int, bool]:
        text = self.text
        n = len(text)
        chunks: list[str] = []
        while True:
            m = _PLAIN.match(text, pos)
            if m:
                chunks.append(m.group())
                pos = m.end()
            if pos >= n or text[pos] in "\r\n":
                raise self.error("unterminated string (a ' string cannot span lines; use ''')",
                                 token_pos)
            char = text[pos]
            if char == "'":
                return "".join(chunks), pos + 1, False
            if char == "$":
                if text.startswith("{", pos + 1):
                    return "".join(chunks), pos + 2, True
                chunks.append("$")
                pos += 1
                continue
            # a backslash escape
            code = text[pos + 1:pos + 2]
            if code in _ESCAPES:
                chunks.append(_ESCAPES[code])
                pos += 2
            elif code == "u":
                um = _UNICODE_ESCAPE.match(text, pos + 2)
                if um is None or int(um.group(1), 16) > 0x10FFFF:
                    raise self.error("invalid unicode escape (expected \\u{hex})", pos)
                chunks.append(chr(int(um.group(1), 16)))
                pos = um.end()
            else:
                raise self.error(f"invalid escape sequence '\\{code}'", pos)

    def multiline_text(self, pos: int, token_pos: int, dollars: int,
                       first: bool) -> tuple[str, int, bool]:
        text = self.text
        close = text.find("'''", pos)
        if close < 0:
            raise self.error("unterminated multi-line string", token_pos)
        # quotes right before the closing ''' belong to the content ('''a'''' is "a'")
        while text.startswith("'", close + 3):
            close += 1
        hole = -1
        if dollars:
            hole = text.find("$" * dollars + "{", pos, close)
        if hole >= 0:
            body, end, is_hole = text[pos:hole], hole + dollars + 1, True
        else:
            body, end, is_hole = text[pos:close], close + 3, False
        if first:
            # the line break right after the opening ''' is not part of the value
            if body.startswith("\r\n"):
                body = body[2:]
            elif body.startswith("\n"):
                body = body[1:]
        return body, end, is_hole


def tokenize(text: str) -> tuple[list[tuple], list[tuple[int, int, str]]]:
    """Tokens of ``text`` (ending with EOF) and its comments as ``(line, column, text)``.

    Raises BicepSyntaxError on an unterminated string or comment or a stray character.
    """
    lexer = _Lexer(text)
    return lexer.run(), lexer.comments
