"""A recursive-descent parser for Bicep (``.bicep``) and Bicep parameter (``.bicepparam``) files.

Written from the documented grammar (github.com/Azure/bicep docs/grammar.md)
and the language reference on learn.microsoft.com.  Hand-written rather than a
lark grammar because Bicep's newlines mean different things in different
places: they end statements, separate object properties and array items, and
are insignificant inside parentheses, call arguments, index brackets and
``for`` headers.  The parser tracks that with one flag (``skip_nl``) saved and
restored around each bracketed construct.

Nesting is capped (:data:`MAX_DEPTH`) so hostile input raises
BicepSyntaxError rather than RecursionError, and every step consumes a token,
so time is linear in the input.
"""
from __future__ import annotations

from validator.frontends.bicep import ast as A
from validator.frontends.bicep.errors import BicepSyntaxError
from validator.frontends.bicep.lexer import tokenize

__all__ = ["parse_bicep", "BicepSyntaxError", "MAX_DEPTH"]

#: deepest nesting of expressions/types accepted; real templates stay far below 20
MAX_DEPTH = 64

# Bicep operator precedence, loosest first (Bicep's Parser: coalesce < || < && < equality
# < relational < additive < multiplicative)
_BINARY = {
    "??": 1, "||": 2, "&&": 3,
    "==": 4, "!=": 4, "=~": 4, "!~": 4,
    "<": 5, "<=": 5, ">": 5, ">=": 5,
    "+": 6, "-": 6,
    "*": 7, "/": 7, "%": 7,
}
# operators that may start a continuation line: nothing else can begin an item or a statement
_CONTINUATION = frozenset({"??", "||", "&&", "?", ":", "|"})
_INDEX_OPENERS = {"[": (False, False), "[?": (True, False), "[^": (False, True), "[?^": (True, True)}
_PREFIX = frozenset({"!", "-", "+"})
# statements the compiler accepts no decorators on
_UNDECORATED = frozenset({"targetScope", "metadata", "using", "extends", "extensionConfig", "assert"})
_RESOURCE_TYPE_KINDS = frozenset({"resourceInput", "resourceOutput", "resource"})


def _describe(token: tuple) -> str:
    kind, value = token[0], token[1]
    if kind == "NL":
        return "a new line"
    if kind == "EOF":
        return "the end of the file"
    if kind == "ID":
        return f"'{value}'"
    if kind == "INT":
        return f"number {value}"
    if kind in ("STR", "STRL", "STRM", "STRR"):
        return "a string"
    return f"'{kind}'"


class _Parser:
    def __init__(self, tokens: list[tuple], path: str) -> None:
        self.toks = tokens
        self.i = 0
        self.path = path
        self.skip_nl = False
        self.depth = 0
        self.close_paren = self._match_parens(tokens)

    @staticmethod
    def _match_parens(tokens: list[tuple]) -> dict[int, int]:
        """Index of each '(' -> index of its ')', so lambda detection is O(1)."""
        stack: list[int] = []
        matches: dict[int, int] = {}
        for index, token in enumerate(tokens):
            kind = token[0]
            if kind == "(":
                stack.append(index)
            elif kind == ")" and stack:
                matches[stack.pop()] = index
        return matches

    # ------------------------------------------------------------ token access

    def peek(self) -> tuple:
        tok = self.toks[self.i]
        if self.skip_nl:
            while tok[0] == "NL":
                self.i += 1
                tok = self.toks[self.i]
        return tok

    def after(self, index: int) -> tuple:
        """The token after position ``index``, skipping newlines when they are insignificant here."""
        index += 1
        toks = self.toks
        if self.skip_nl:
            while toks[index][0] == "NL":
                index += 1
        return toks[min(index, len(toks) - 1)]

    def skip_newlines(self) -> None:
        toks = self.toks
        while toks[self.i][0] == "NL":
            self.i += 1

    def error(self, message: str, tok: tuple | None = None) -> BicepSyntaxError:
        tok = tok or self.peek()
        return BicepSyntaxError(message, tok[2], tok[3], self.path)

    def expect(self, kind: str, what: str | None = None) -> tuple:
        tok = self.peek()
        if tok[0] != kind:
            raise self.error(f"expected {what or repr(kind)} but found {_describe(tok)}", tok)
        self.i += 1
        return tok

    def expect_word(self, word: str) -> tuple:
        tok = self.peek()
        if tok[0] != "ID" or tok[1] != word:
            raise self.error(f"expected '{word}' but found {_describe(tok)}", tok)
        self.i += 1
        return tok

    def identifier(self, what: str) -> tuple:
        return self.expect("ID", what)

    def is_word(self, tok: tuple, word: str) -> bool:
        return tok[0] == "ID" and tok[1] == word

    def continues(self, kinds: frozenset | tuple) -> bool:
        """True when the next token is one of ``kinds``, possibly on a following line.

        Only operators that cannot begin a statement, a property or an item are
        looked for across newlines, so this never swallows a separator.
        """
        tok = self.peek()
        if tok[0] in kinds:
            return True
        if tok[0] == "NL":
            j = self.i
            while self.toks[j][0] == "NL":
                j += 1
            if self.toks[j][0] in kinds and self.toks[j][0] in _CONTINUATION:
                self.i = j
                return True
        return False

    def enter(self, tok: tuple) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"nesting deeper than {MAX_DEPTH} levels", tok)

    # ------------------------------------------------------------- statements

    def parse_file(self) -> list:
        statements = []
        toks = self.toks
        while True:
            while toks[self.i][0] == "NL":
                self.i += 1
            if toks[self.i][0] == "EOF":
                return statements
            statements.append(self.statement())
            tok = toks[self.i]
            if tok[0] not in ("NL", "EOF"):
                raise self.error(f"expected a new line after the declaration but found {_describe(tok)}", tok)

    def decorators(self) -> list:
        found = []
        while self.peek()[0] == "@":
            found.append(self.decorator())
            self.skip_newlines()
        return found

    def decorator(self) -> A.Decorator:
        at = self.expect("@")
        start = self.peek()
        expr = self.postfix(self.primary(), start)
        if isinstance(expr, A.Identifier):
            expr = A.Call(expr.line, expr.column, None, expr.name, [])
        elif isinstance(expr, A.PropertyAccess):
            expr = A.Call(expr.line, expr.column, expr.obj, expr.name, [])
        if not isinstance(expr, A.Call):
            raise self.error("expected a decorator call such as @description('...')", at)
        return A.Decorator(at[2], at[3], expr)

    def statement(self):
        decorators = self.decorators()
        tok = self.peek()
        if tok[0] != "ID":
            raise self.error(f"expected a declaration but found {_describe(tok)}", tok)
        handler = self._STATEMENTS.get(tok[1])
        if handler is None:
            raise self.error(
                f"expected a declaration (param, var, resource, module, output, type, func, "
                f"import, ...) but found {_describe(tok)}", tok)
        if decorators and tok[1] in _UNDECORATED:
            first = decorators[0]
            raise BicepSyntaxError(f"a decorator cannot apply to '{tok[1]}'", first.line, first.column, self.path)
        self.i += 1
        return handler(self, tok, decorators)

    def param_stmt(self, kw: tuple, decorators: list):
        name = self.identifier("a parameter name")[1]
        if self.peek()[0] == "=":  # .bicepparam: param name = value
            self.i += 1
            return A.ParamAssign(kw[2], kw[3], name, self.expression(), decorators)
        type_ = self.resource_type_or_type()
        default = None
        if self.peek()[0] == "=":
            self.i += 1
            default = self.expression()
        return A.ParamDecl(kw[2], kw[3], name, type_, default, decorators)

    def resource_type_or_type(self):
        tok = self.peek()
        if self.is_word(tok, "resource") and self.after(self.i)[0] in ("STR", "STRL"):
            self.i += 1
            node = self.string()
            return A.ResourceTypeRef(tok[2], tok[3], "resource", _text_of(node))
        return self.type_expr()

    def var_stmt(self, kw: tuple, decorators: list):
        name = self.identifier("a variable name")[1]
        type_ = None
        if self.peek()[0] != "=":
            type_ = self.type_expr()
        self.expect("=")
        return A.VarDecl(kw[2], kw[3], name, type_, self.expression(), decorators)

    def type_stmt(self, kw: tuple, decorators: list):
        name = self.identifier("a type name")[1]
        self.expect("=")
        return A.TypeDecl(kw[2], kw[3], name, self.type_expr(), decorators)

    def declaration_body(self):
        """The value of a resource or module: an object, ``if (c) {...}`` or a ``for`` loop."""
        self.skip_newlines()  # `= <newline> if (...)` is allowed
        tok = self.peek()
        if self.is_word(tok, "if"):
            return self.if_expr()
        return self.expression()

    def resource_stmt(self, kw: tuple, decorators: list):
        name = self.identifier("a resource symbol name")[1]
        type_node = self.string()
        existing = False
        if self.is_word(self.peek(), "existing"):
            self.i += 1
            existing = True
        self.expect("=")
        body = self.declaration_body()
        return A.ResourceDecl(kw[2], kw[3], name, _text_of(type_node), existing, body,
                              decorators, type_node)

    def module_stmt(self, kw: tuple, decorators: list):
        name = self.identifier("a module symbol name")[1]
        path_node = self.string()
        self.expect("=")
        body = self.declaration_body()
        return A.ModuleDecl(kw[2], kw[3], name, _text_of(path_node), body, decorators, path_node)

    def test_stmt(self, kw: tuple, decorators: list):
        name = self.identifier("a test name")[1]
        path_node = self.string()
        self.expect("=")
        return A.TestDecl(kw[2], kw[3], name, _text_of(path_node), self.expression(), decorators, path_node)

    def output_stmt(self, kw: tuple, decorators: list):
        name = self.identifier("an output name")[1]
        type_ = self.resource_type_or_type()
        self.expect("=")
        return A.OutputDecl(kw[2], kw[3], name, type_, self.expression(), decorators)

    def func_stmt(self, kw: tuple, decorators: list):
        name = self.identifier("a function name")[1]
        self.expect("(")
        saved, self.skip_nl = self.skip_nl, True
        params = []
        while self.peek()[0] != ")":
            if params:
                self.expect(",", "',' or ')'")
            ptok = self.identifier("a parameter name")
            params.append(A.FuncParam(ptok[2], ptok[3], ptok[1], self.type_expr()))
        self.expect(")")
        self.skip_nl = saved
        return_type = self.type_expr()
        self.expect("=>")
        return A.FuncDecl(kw[2], kw[3], name, params, return_type, self.lambda_body(), decorators)

    def import_stmt(self, kw: tuple, decorators: list):
        tok = self.peek()
        if tok[0] == "{":
            self.i += 1
            saved, self.skip_nl = self.skip_nl, True
            symbols = []
            while self.peek()[0] != "}":
                if symbols and self.peek()[0] == ",":
                    self.i += 1
                    if self.peek()[0] == "}":
                        break
                stok = self.peek()
                if stok[0] == "STR":  # a name that is not a Bicep identifier must be aliased
                    self.i += 1
                else:
                    stok = self.identifier("an imported symbol name")
                alias = None
                if self.is_word(self.peek(), "as"):
                    self.i += 1
                    alias = self.identifier("an alias")[1]
                symbols.append(A.ImportedSymbol(stok[2], stok[3], stok[1], alias))
            self.expect("}")
            self.skip_nl = saved
            self.expect_word("from")
            source = self.string()
            return A.ImportDecl(kw[2], kw[3], symbols, None, _text_of(source), decorators, source)
        if tok[0] == "*":
            self.i += 1
            self.expect_word("as")
            alias = self.identifier("an alias")[1]
            self.expect_word("from")
            source = self.string()
            return A.ImportDecl(kw[2], kw[3], [], alias, _text_of(source), decorators, source)
        # the pre-0.30 form of `extension`: import 'kubernetes@1.0.0' with {...} as k8s
        return self.extension_stmt(kw, decorators)

    def extension_stmt(self, kw: tuple, decorators: list):
        tok = self.peek()
        spec_node = None
        if tok[0] == "ID":
            self.i += 1
            spec = tok[1]
        else:
            spec_node = self.string()
            spec = _text_of(spec_node)
        config = alias = None
        if self.is_word(self.peek(), "with"):
            self.i += 1
            config = self.object()
        if self.is_word(self.peek(), "as"):
            self.i += 1
            alias = self.identifier("an alias")[1]
        return A.ExtensionDecl(kw[2], kw[3], kw[1], spec, config, alias, decorators, spec_node)

    def using_stmt(self, kw: tuple, decorators: list):
        tok = self.peek()
        path = path_node = None
        if self.is_word(tok, "none"):
            self.i += 1
        else:
            path_node = self.string()
            path = _text_of(path_node)
        config = None
        if self.is_word(self.peek(), "with"):
            self.i += 1
            config = self.object()
        return A.UsingDecl(kw[2], kw[3], path, config, path_node)

    def extends_stmt(self, kw: tuple, decorators: list):
        path_node = self.string()
        return A.ExtendsDecl(kw[2], kw[3], _text_of(path_node), path_node)

    def extension_config_stmt(self, kw: tuple, decorators: list):
        name = self.identifier("an extension alias")[1]
        self.expect_word("with")
        return A.ExtensionConfig(kw[2], kw[3], name, self.object())

    def target_scope_stmt(self, kw: tuple, decorators: list):
        self.expect("=")
        return A.TargetScope(kw[2], kw[3], self.expression())

    def metadata_stmt(self, kw: tuple, decorators: list):
        name = self.identifier("a metadata name")[1]
        self.expect("=")
        return A.Metadata(kw[2], kw[3], name, self.expression())

    def assert_stmt(self, kw: tuple, decorators: list):
        name = self.identifier("an assertion name")[1]
        self.expect("=")
        return A.AssertDecl(kw[2], kw[3], name, self.expression())

    _STATEMENTS = {
        "param": param_stmt, "var": var_stmt, "type": type_stmt, "resource": resource_stmt,
        "module": module_stmt, "test": test_stmt, "output": output_stmt, "func": func_stmt,
        "import": import_stmt, "extension": extension_stmt, "provider": extension_stmt,
        "using": using_stmt, "extends": extends_stmt, "targetScope": target_scope_stmt,
        "metadata": metadata_stmt, "assert": assert_stmt,
        "extensionConfig": extension_config_stmt,
    }

    # ------------------------------------------------------------ expressions

    def expression(self):
        tok = self.peek()
        self.enter(tok)
        try:
            cond = self.binary(1)
            if self.continues(("?",)):
                self.i += 1
                saved, self.skip_nl = self.skip_nl, True  # ' ? a : b' may wrap freely
                if_true = self.expression()
                self.skip_nl = saved
                if not self.continues((":",)):
                    raise self.error(f"expected ':' in the conditional expression but found "
                                     f"{_describe(self.peek())}")
                self.i += 1
                if_false = self.expression()
                return A.Ternary(tok[2], tok[3], cond, if_true, if_false)
            return cond
        finally:
            self.depth -= 1

    def binary(self, min_prec: int):
        start = self.peek()  # a node starts where its source does, '(' included
        left = self.unary()
        while True:
            tok = self.peek()
            prec = _BINARY.get(tok[0])
            if prec is None and tok[0] == "NL" and self.continues(("??", "||", "&&")):
                tok = self.peek()
                prec = _BINARY[tok[0]]
            if prec is None or prec < min_prec:
                return left
            self.i += 1
            right = self.binary(prec + 1)  # all Bicep binary operators are left-associative
            left = A.Binary(start[2], start[3], tok[0], left, right)

    def unary(self):
        ops = []
        tok = self.peek()
        while tok[0] in _PREFIX:
            ops.append(tok)
            self.i += 1
            tok = self.peek()
        node = self.postfix(self.primary(), tok)
        for op in reversed(ops):  # applied inside out, without recursion
            node = A.Unary(op[2], op[3], op[0], node)
        return node

    def postfix(self, node, start: tuple):
        """Member access, calls, indexing and ``!`` after ``node``, which began at token ``start``."""
        line, column = start[2], start[3]
        while True:
            tok = self.peek()
            kind = tok[0]
            if kind == "." or kind == ".?":
                self.i += 1
                name_tok = self.identifier("a property name")
                if kind == "." and self.toks[self.i][0] == "(":
                    node = A.Call(line, column, node, name_tok[1], self.arguments())
                else:
                    node = A.PropertyAccess(line, column, node, name_tok[1], kind == ".?")
            elif kind in _INDEX_OPENERS:
                safe, from_end = _INDEX_OPENERS[kind]
                self.i += 1
                saved, self.skip_nl = self.skip_nl, True
                index = self.expression()
                self.expect("]")
                self.skip_nl = saved
                node = A.IndexAccess(line, column, node, index, safe, from_end)
            elif kind == "::":
                self.i += 1
                name_tok = self.identifier("a nested resource name")
                node = A.ResourceAccess(line, column, node, name_tok[1])
            elif kind == "!":
                self.i += 1
                node = A.NonNull(line, column, node)
            else:
                return node

    def arguments(self) -> list:
        self.expect("(")
        saved, self.skip_nl = self.skip_nl, True
        args = []
        while self.peek()[0] != ")":
            if args:
                self.expect(",", "',' or ')'")
            args.append(self.expression())
        self.i += 1
        self.skip_nl = saved
        return args

    def primary(self):
        tok = self.peek()
        kind = tok[0]
        if kind == "ID":
            word = tok[1]
            nxt = self.toks[self.i + 1][0]
            if nxt == "(":
                self.i += 1
                return A.Call(tok[2], tok[3], None, word, self.arguments())
            if nxt == "=>":
                self.i += 2
                param = A.Identifier(tok[2], tok[3], word)
                return A.Lambda(tok[2], tok[3], [param], self.lambda_body())
            self.i += 1
            if word == "true" or word == "false":
                return A.BoolLiteral(tok[2], tok[3], word == "true")
            if word == "null":
                return A.NullLiteral(tok[2], tok[3])
            return A.Identifier(tok[2], tok[3], word)
        if kind == "INT":
            self.i += 1
            return A.IntLiteral(tok[2], tok[3], int(tok[1]))
        if kind in ("STR", "STRL"):
            return self.string()
        if kind == "{":
            return self.object()
        if kind == "[":
            return self.array()
        if kind == "(":
            close = self.close_paren.get(self.i)
            if close is not None and self.toks[close + 1][0] == "=>":
                return self.lambda_expr()
            self.i += 1
            saved, self.skip_nl = self.skip_nl, True
            inner = self.expression()
            self.expect(")")
            self.skip_nl = saved
            return inner
        raise self.error(f"expected an expression but found {_describe(tok)}", tok)

    def lambda_expr(self):
        start = self.expect("(")
        saved, self.skip_nl = self.skip_nl, True
        params = []
        while self.peek()[0] != ")":
            if params:
                self.expect(",", "',' or ')'")
            ptok = self.identifier("a lambda parameter name")
            params.append(A.Identifier(ptok[2], ptok[3], ptok[1]))
        self.i += 1
        self.skip_nl = saved
        self.expect("=>")
        return A.Lambda(start[2], start[3], params, self.lambda_body())

    def lambda_body(self):
        self.skip_newlines()  # the body may start on the line after '=>'
        return self.expression()

    def string(self):
        """A string literal or an interpolated string (the tokens STR, or STRL ... STRR)."""
        tok = self.peek()
        if tok[0] == "STR":
            self.i += 1
            return A.StringLiteral(tok[2], tok[3], tok[1], tok[4])
        if tok[0] != "STRL":
            raise self.error(f"expected a string but found {_describe(tok)}", tok)
        self.i += 1
        parts: list = [tok[1]]
        saved, self.skip_nl = self.skip_nl, True
        while True:
            parts.append(self.expression())
            piece = self.peek()
            if piece[0] not in ("STRM", "STRR"):
                raise self.error(f"expected '}}' closing the interpolation but found {_describe(piece)}", piece)
            self.i += 1
            parts.append(piece[1])
            if piece[0] == "STRR":
                break
        self.skip_nl = saved
        return A.InterpolatedString(tok[2], tok[3], parts, tok[4])

    def separator(self, closer: str, what: str) -> None:
        """Between items: a comma or new lines; nothing is needed before the closer.

        A comma directly followed by a new line is an error in Bicep (BCP238), so
        ``{ a: 1,`` + newline is rejected like the compiler does.
        """
        toks = self.toks
        seen = False
        while toks[self.i][0] == "NL":
            self.i += 1
            seen = True
        if toks[self.i][0] == ",":
            self.i += 1
            seen = True
            if toks[self.i][0] == "NL":
                raise self.error("unexpected new line after a comma: separate items on "
                                 "different lines with new lines only", toks[self.i])
        if not seen and toks[self.i][0] != closer:
            raise self.error(f"expected ',' or a new line between {what} but found {_describe(toks[self.i])}")

    def delimited(self, opener: str, closer: str, what: str, item) -> tuple[tuple, list]:
        """``opener item (sep item)* closer`` where new lines separate items, as commas do."""
        start = self.expect(opener)
        saved, self.skip_nl = self.skip_nl, False
        self.enter(start)
        entries = []
        self.skip_newlines()
        while self.toks[self.i][0] != closer:
            entries.append(item())
            self.separator(closer, what)
        self.i += 1
        self.depth -= 1
        self.skip_nl = saved
        return start, entries

    def object(self):
        start, entries = self.delimited("{", "}", "object properties", self.object_entry)
        return A.ObjectLit(start[2], start[3], entries)

    def object_entry(self):
        tok = self.peek()
        kind = tok[0]
        if kind == "...":
            self.i += 1
            return A.Spread(tok[2], tok[3], self.expression())
        if kind == "@" or (kind == "ID" and tok[1] == "resource" and self.toks[self.i + 1][0] == "ID"):
            # a nested resource inside a resource body (decorators allowed, e.g. @batchSize)
            decorators = self.decorators()
            kw = self.expect_word("resource")
            return self.resource_stmt(kw, decorators)
        if kind == "ID":
            self.i += 1
            key = A.Identifier(tok[2], tok[3], tok[1])
        elif kind in ("STR", "STRL"):
            key = self.string()
        else:
            raise self.error(f"expected a property name but found {_describe(tok)}", tok)
        self.expect(":", "':' after the property name")
        return A.ObjectProperty(tok[2], tok[3], key, self.expression())

    def array(self):
        j = self.i + 1
        while self.toks[j][0] == "NL":
            j += 1
        if self.is_word(self.toks[j], "for"):
            start = self.expect("[")
            saved, self.skip_nl = self.skip_nl, True  # a for header and body may wrap freely
            node = self.for_expr(start)
            self.skip_nl = saved
            return node
        start, items = self.delimited("[", "]", "array items", self.array_item)
        return A.ArrayLit(start[2], start[3], items)

    def array_item(self):
        tok = self.peek()
        if tok[0] == "...":
            self.i += 1
            return A.Spread(tok[2], tok[3], self.expression())
        return self.expression()

    def for_expr(self, start: tuple):
        self.enter(start)
        self.expect_word("for")
        item = index = None
        tok = self.peek()
        if tok[0] == "(":
            self.i += 1
            itok = self.identifier("the loop item name")
            item = A.Identifier(itok[2], itok[3], itok[1])
            if self.peek()[0] == ",":
                self.i += 1
                xtok = self.identifier("the loop index name")
                index = A.Identifier(xtok[2], xtok[3], xtok[1])
            self.expect(")")
        else:
            itok = self.identifier("the loop item name")
            item = A.Identifier(itok[2], itok[3], itok[1])
        self.expect_word("in")
        iterable = self.expression()
        self.expect(":", "':' after the loop source")
        condition = None
        if self.is_word(self.peek(), "if"):
            cond_node = self.if_expr()
            condition, body = cond_node.condition, cond_node.body
        else:
            body = self.expression()
        self.expect("]", "']' closing the for expression")
        self.depth -= 1
        return A.ForExpr(start[2], start[3], item, index, iterable, condition, body)

    def if_expr(self):
        kw = self.expect_word("if")
        self.expect("(", "'(' after 'if'")
        saved, self.skip_nl = self.skip_nl, True
        condition = self.expression()
        self.expect(")")
        body = self.object()
        self.skip_nl = saved
        return A.IfExpr(kw[2], kw[3], condition, body)

    # ------------------------------------------------------------------ types

    def type_expr(self):
        tok = self.peek()
        self.enter(tok)
        try:
            leading = False
            if self.continues(("|",)):  # a union may start on the next line with '|'
                tok = self.peek()
                self.i += 1
                leading = True
            members = [self.singular_type()]
            while self.continues(("|",)):
                self.i += 1
                members.append(self.singular_type())
            if len(members) == 1 and not leading:
                return members[0]
            return A.UnionType(tok[2], tok[3], members)
        finally:
            self.depth -= 1

    def singular_type(self):
        start = self.peek()
        line, column = start[2], start[3]  # '(' included, as for expressions
        node = self.primary_type()
        toks = self.toks
        while True:
            kind = toks[self.i][0]
            if kind == "[":
                nxt = toks[self.i + 1]
                if nxt[0] == "]":
                    self.i += 2
                    node = A.ArrayType(line, column, node)
                elif nxt[0] in ("INT", "*") and toks[self.i + 2][0] == "]":
                    self.i += 3
                    member = int(nxt[1]) if nxt[0] == "INT" else "*"
                    node = A.TypeAccess(line, column, node, member,
                                        "index" if nxt[0] == "INT" else "items")
                else:
                    return node
            elif kind == "?":
                self.i += 1
                node = A.NullableType(line, column, node)
            elif kind == "!":
                self.i += 1
                node = A.NonNullType(line, column, node)
            elif kind == ".":
                nxt = toks[self.i + 1]
                if nxt[0] == "*":
                    self.i += 2
                    node = A.TypeAccess(line, column, node, "*", "additional")
                elif nxt[0] == "ID" and nxt[1] in _RESOURCE_TYPE_KINDS and toks[self.i + 2][0] == "<":
                    self.i += 1  # sys.resourceInput<'...'>: the namespace adds nothing
                    node = self.primary_type()
                elif nxt[0] == "ID":
                    self.i += 2
                    if isinstance(node, A.TypeRef):  # sys.string, ns.myType
                        node = A.TypeRef(line, column, f"{node.name}.{nxt[1]}")
                    else:
                        node = A.TypeAccess(line, column, node, nxt[1], "property")
                else:
                    return node
            else:
                return node

    def primary_type(self):
        tok = self.peek()
        kind = tok[0]
        if kind == "ID":
            word = tok[1]
            self.i += 1
            if word in ("true", "false"):
                return A.LiteralType(tok[2], tok[3], A.BoolLiteral(tok[2], tok[3], word == "true"))
            if word == "null":
                return A.LiteralType(tok[2], tok[3], A.NullLiteral(tok[2], tok[3]))
            if word in _RESOURCE_TYPE_KINDS and self.peek()[0] == "<":
                self.i += 1
                saved, self.skip_nl = self.skip_nl, True
                type_string = _text_of(self.string())
                self.expect(">")
                self.skip_nl = saved
                return A.ResourceTypeRef(tok[2], tok[3], word, type_string)
            return A.TypeRef(tok[2], tok[3], word)
        if kind in ("STR", "STRL"):
            return A.LiteralType(tok[2], tok[3], self.string())
        if kind == "INT":
            self.i += 1
            return A.LiteralType(tok[2], tok[3], A.IntLiteral(tok[2], tok[3], int(tok[1])))
        if kind in _PREFIX:
            self.i += 1
            operand = self.signed_literal_type()
            if not isinstance(operand, A.LiteralType):
                raise self.error("expected a literal after the sign in a type", tok)
            return A.LiteralType(tok[2], tok[3], A.Unary(tok[2], tok[3], kind, operand.value))
        if kind == "(":
            self.i += 1
            saved, self.skip_nl = self.skip_nl, True
            inner = self.type_expr()
            self.expect(")")
            self.skip_nl = saved
            return inner
        if kind == "{":
            return self.object_type()
        if kind == "[":
            return self.tuple_type()
        raise self.error(f"expected a type but found {_describe(tok)}", tok)

    def signed_literal_type(self):
        tok = self.peek()
        if tok[0] != "INT" and not (tok[0] == "ID" and tok[1] in ("true", "false", "null")):
            raise self.error(f"expected a literal after the sign in a type but found {_describe(tok)}", tok)
        return self.primary_type()

    def object_type(self):
        start, props = self.delimited("{", "}", "object type properties", self.type_property)
        return A.ObjectType(start[2], start[3], props)

    def type_property(self):
        decorators = self.decorators()
        tok = self.peek()
        if tok[0] not in ("*", "ID", "STR"):  # '*' is the additional-properties matcher
            raise self.error(f"expected a property name but found {_describe(tok)}", tok)
        self.i += 1
        self.expect(":", "':' after the property name")
        return A.TypeProperty(tok[2], tok[3], tok[1], self.type_expr(), decorators)

    def tuple_type(self):
        start, items = self.delimited("[", "]", "tuple items", self.tuple_item)
        return A.TupleType(start[2], start[3], items)

    def tuple_item(self):
        decorators = self.decorators()
        tok = self.peek()
        return A.TupleItem(tok[2], tok[3], self.type_expr(), decorators)


def _text_of(node) -> str:
    """The text of a string node; interpolations are rendered as ``${...}`` placeholders."""
    if isinstance(node, A.StringLiteral):
        return node.value
    return "".join(part if isinstance(part, str) else "${...}" for part in node.parts)


# statements that only one of the two file kinds may hold; the Bicep compiler parses them apart
_NOT_IN_PARAMS = (A.ParamDecl, A.ResourceDecl, A.ModuleDecl, A.OutputDecl, A.TargetScope, A.TestDecl)
_ONLY_IN_PARAMS = (A.ParamAssign, A.UsingDecl, A.ExtendsDecl, A.ExtensionConfig)
_STATEMENT_WORDS = {A.ParamDecl: "a parameter declaration with a type", A.ResourceDecl: "a resource",
                    A.ModuleDecl: "a module", A.OutputDecl: "an output", A.TargetScope: "targetScope",
                    A.TestDecl: "a test", A.ParamAssign: "a parameter assignment (param name = value)",
                    A.UsingDecl: "a using statement", A.ExtendsDecl: "an extends statement",
                    A.ExtensionConfig: "an extensionConfig statement"}


def _check_file_kind(statements: list, path: str) -> None:
    """Reject statements that belong in the other kind of file (known from the path's extension)."""
    if path.endswith(".bicepparam"):
        misplaced, here = _NOT_IN_PARAMS, "a .bicepparam file"
    elif path.endswith(".bicep"):
        misplaced, here = _ONLY_IN_PARAMS, "a .bicep file (it belongs in a .bicepparam file)"
    else:
        return
    for statement in statements:
        if isinstance(statement, misplaced):
            raise BicepSyntaxError(f"{_STATEMENT_WORDS[type(statement)]} is not allowed in {here}",
                                   statement.line, statement.column, path)


def parse_bicep(text: str, path: str = "") -> A.BicepFile:
    """Parse Bicep or ``.bicepparam`` source into a :class:`~validator.frontends.bicep.ast.BicepFile`.

    Every node carries a 1-based line and column.  ``path`` is only used in
    messages and to tell the two file kinds apart: statements of the other
    kind are rejected when it ends in ``.bicep`` or ``.bicepparam``; with no
    path both kinds are accepted.  Raises BicepSyntaxError
    (message, line, column) on invalid input, and on nesting deeper than
    MAX_DEPTH; no other exception escapes.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        tokens, comments = tokenize(text)
        parser = _Parser(tokens, path)
        statements = parser.parse_file()
        _check_file_kind(statements, path)
    except BicepSyntaxError as exc:
        if path and not exc.path:
            raise BicepSyntaxError(exc.message, exc.line, exc.column, path) from None
        raise
    except RecursionError:  # belt and braces: MAX_DEPTH keeps us well below the limit
        raise BicepSyntaxError("nesting too deep", 1, 1, path) from None
    return A.BicepFile(1, 1, path, statements,
                       [A.Comment(line, column, body) for line, column, body in comments])
