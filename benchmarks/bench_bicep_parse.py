"""Coverage and speed of the Bicep parser on real, public Bicep.

The corpus is read in place, never copied into this repository: from git
mirrors of public repositories (``git show HEAD:path``) or from folders given
on the command line.  Prints files parsed / failed, failures grouped by kind,
and parse time.  With ``--pycep PYTHON`` (an interpreter with pycep-parser
installed, e.g. a throwaway venv) the same files also go through pycep-parser
for comparison.

    python benchmarks/bench_bicep_parse.py                       # default mirrors
    python benchmarks/bench_bicep_parse.py some/dir other/dir    # every .bicep/.bicepparam below
    python benchmarks/bench_bicep_parse.py --pycep /tmp/pycepvenv/bin/python
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from validator.frontends.bicep import BicepSyntaxError, parse_bicep  # noqa: E402
from validator.frontends.bicep import ast as A  # noqa: E402

MIRRORS = Path(os.environ.get("BICEP_MIRRORS", "/work/.mirror"))
# (repository, paths to take, paths to leave out): the Bicep compiler's own samples skip the
# baselines it generates from them and the samples that are invalid on purpose
SOURCES = [
    ("Azure+bicep", r"^src/Bicep\.Core\.Samples/Files/(baselines|baselines_bicepparam|user_submitted)/",
     r"Invalid|/Completions|\.(diagnostics|formatted|ir|sourcemap|symbols|syntax|tokens)\.bicep"),
    ("mspnp+aks-baseline", r"", None),
    ("Azure+AKS-Construction", r"", None),
    ("Azure+AKS-Landing-Zone-Accelerator", r"", None),
    ("Azure+bicep-registry-modules", r"", None),
]
BICEP_NAME = re.compile(r"\.bicep(param)?$")

PYCEP_DRIVER = r"""
import json, signal, sys
from pycep import BicepParser
parser = BicepParser()
class Timeout(Exception):
    pass
def on_alarm(*_):
    raise Timeout()
signal.signal(signal.SIGALRM, on_alarm)
results = []
for name, text in json.load(sys.stdin):
    signal.alarm(20)
    try:
        parser.parse(text=text)
        results.append([name, None])
    except Timeout:
        results.append([name, "timeout (20 s)"])
    except Exception as exc:  # pycep raises lark errors, TypeError, VisitError...
        first = (str(exc).splitlines() or [""])[0]
        results.append([name, type(exc).__name__ + ": " + first[:120]])
    finally:
        signal.alarm(0)
json.dump(results, sys.stdout)
"""


def mirror_files() -> list[tuple[str, str]]:
    """(name, text) of the Bicep files of the default mirrors that exist on this machine."""
    files = []
    for repo, take, leave in SOURCES:
        git_dir = MIRRORS / repo / "repo"
        if not git_dir.exists():
            print(f"(skipped {repo}: no mirror at {git_dir})", file=sys.stderr)
            continue
        listing = subprocess.run(["git", "-C", str(git_dir), "ls-tree", "-r", "--name-only", "HEAD"],
                                 capture_output=True, text=True, check=True).stdout.splitlines()
        paths = [p for p in listing if BICEP_NAME.search(p) and re.search(take, p)
                 and not (leave and re.search(leave, p))]
        # one `git cat-file --batch` for all blobs: thousands of `git show` calls take minutes
        request = "".join(f"HEAD:{p}\n" for p in paths).encode()
        out = subprocess.run(["git", "-C", str(git_dir), "cat-file", "--batch"], input=request,
                             capture_output=True, check=True).stdout
        offset = 0
        for path in paths:
            header_end = out.index(b"\n", offset)
            size = int(out[offset:header_end].split()[2])
            blob = out[header_end + 1:header_end + 1 + size]
            offset = header_end + 1 + size + 1
            files.append((f"{repo.replace('+', '/')}/{path}", blob.decode("utf-8", errors="replace")))
    return files


def folder_files(folders: list[str]) -> list[tuple[str, str]]:
    files = []
    for folder in folders:
        for path in sorted(Path(folder).rglob("*")):
            if path.is_file() and BICEP_NAME.search(path.name):
                files.append((str(path), path.read_text(encoding="utf-8", errors="replace")))
    return files


def error_kind(message: str) -> str:
    """A failure message without its specifics, to group failures (lark's token names kept)."""
    token = re.search(r"Unexpected token Token\('(\w+)'", message)
    if token:
        return f"unexpected token {token.group(1)}"
    if "No terminal matches" in message:
        return "no terminal matches a character (lexer)"
    message = re.sub(r"'[^']*'", "'…'", message.split(" but found ")[0])
    return re.sub(r"\d+", "N", message)[:100]


def run_ours(files: list[tuple[str, str]]) -> tuple[dict, float]:
    failures = {}
    start = time.perf_counter()
    for name, text in files:
        try:
            parse_bicep(text, name)
        except BicepSyntaxError as exc:
            failures[name] = f"{exc.line}:{exc.column} {exc.message}"
    return failures, time.perf_counter() - start


def run_pycep(python: str, files: list[tuple[str, str]]) -> tuple[dict, float]:
    start = time.perf_counter()
    out = subprocess.run([python, "-c", PYCEP_DRIVER], input=json.dumps(files), capture_output=True,
                         text=True, check=True).stdout
    failures = {name: error for name, error in json.loads(out) if error is not None}
    return failures, time.perf_counter() - start


# Bicep compiler diagnostics that are syntax errors (aka.ms/bicep/core-diagnostics): expected
# token/keyword/identifier/new line, unterminated string or comment, bad escape, stray character
SYNTAX_CODES = frozenset(
    "BCP%03d" % n for n in (1, 2, 4, 5, 6, 7, 8, 9, 10, 12, 13, 15, 16, 17, 18, 19, 20, 22, 23, 24,
                            64, 68, 96, 97, 103, 118, 123, 132, 140, 153, 162, 167, 202, 226, 236,
                            238, 249, 266, 279, 292, 325, 346, 347))


def compiler_baselines(kind: str) -> list[tuple[str, str, str]]:
    """(path, source, baseline) for each sample of the Bicep compiler with a ``main.<kind>.bicep`` baseline."""
    git_dir = MIRRORS / "Azure+bicep" / "repo"
    if not git_dir.exists():
        return []
    git = ["git", "-C", str(git_dir)]
    listing = set(subprocess.run(git + ["ls-tree", "-r", "--name-only", "HEAD", "src/Bicep.Core.Samples/Files/"],
                                 capture_output=True, text=True, check=True).stdout.split("\n"))
    found = []
    for baseline in sorted(listing):
        match = re.match(rf"(.*)/(main|parameters)\.{kind}\.(bicep|bicepparam)$", baseline)
        source = match and f"{match.group(1)}/{match.group(2)}.{match.group(3)}"
        if source and source in listing:
            texts = [subprocess.run(git + ["show", f"HEAD:{path}"], capture_output=True, check=True).stdout
                     .decode("utf-8", errors="replace").lstrip("\ufeff") for path in (source, baseline)]
            found.append((source, texts[0], texts[1]))
    return found


def compiler_agreement() -> None:
    """Do we reject exactly the compiler's samples that its own baselines show with syntax errors?"""
    agree, disagree = 0, []
    for source, text, diagnostics in compiler_baselines("diagnostics"):
        compiler_rejects = bool(set(re.findall(r"\[(BCP\d+) \(Error\)\]", diagnostics)) & SYNTAX_CODES)
        try:
            parse_bicep(text, source)
            ours = ""
        except BicepSyntaxError as exc:
            ours = f"{exc.line}:{exc.column} {exc.message}"
        if compiler_rejects == bool(ours):
            agree += 1
        else:
            disagree.append(f"{source}: compiler {'rejects' if compiler_rejects else 'accepts'}, "
                            f"we {'reject: ' + ours if ours else 'accept'}")
    if agree or disagree:
        print(f"agreement with the Bicep compiler on its own samples (syntax errors or none): "
              f"{agree}/{agree + len(disagree)}")
    for line in disagree:
        print(f"    {line}")


# the compiler's syntax node -> ours, where both start at the same place
SYNTAX_NODES = {
    "ObjectSyntax": A.ObjectLit, "ObjectPropertySyntax": A.ObjectProperty, "ArraySyntax": A.ArrayLit,
    "SpreadExpressionSyntax": A.Spread, "ForSyntax": A.ForExpr, "TernaryOperationSyntax": A.Ternary,
    "BinaryOperationSyntax": A.Binary, "UnaryOperationSyntax": A.Unary, "NonNullAssertionSyntax": A.NonNull,
    "FunctionCallSyntax": A.Call, "InstanceFunctionCallSyntax": A.Call, "PropertyAccessSyntax": A.PropertyAccess,
    "ArrayAccessSyntax": A.IndexAccess, "ResourceAccessSyntax": A.ResourceAccess, "LambdaSyntax": A.Lambda,
    "DecoratorSyntax": A.Decorator, "IntegerLiteralSyntax": A.IntLiteral, "BooleanLiteralSyntax": A.BoolLiteral,
    "NullLiteralSyntax": A.NullLiteral, "StringSyntax": A.StringLiteral,
}
_SYNTAX_LINE = re.compile(r"//@\[(\d+):\d+\) [^A-Za-z]*(\w+Syntax)\b")


def expression_nodes(node: A.Node):
    """Nodes outside literal types (the compiler has separate type-literal syntax there)."""
    if isinstance(node, A.LiteralType):
        return
    yield node
    for child in node.children():
        yield from expression_nodes(child)


def _syntax_name(node: A.Node) -> str:
    # the compiler has one StringSyntax for plain and interpolated strings
    return "StringLiteral" if isinstance(node, A.InterpolatedString) else type(node).__name__


def tree_agreement() -> None:
    """Compare where each expression node starts with the compiler's ``main.syntax.bicep`` baselines.

    A baseline prints each source line followed by the syntax nodes starting on it
    (``//@[column:end) ├─Kind``), so the two multisets of (kind, line, column) must be equal.
    """
    names = {cls.__name__ for cls in SYNTAX_NODES.values()}
    total, mismatched, files = collections.Counter(), collections.Counter(), 0
    for source, text, syntax in compiler_baselines("syntax"):
        if "Invalid" in source:
            continue
        files += 1
        expected, line = collections.Counter(), 0
        for row in syntax.split("\n"):
            if not row.startswith("//@["):
                line += 1
                continue
            match = _SYNTAX_LINE.match(row)
            if match and match.group(2) in SYNTAX_NODES:
                expected[(SYNTAX_NODES[match.group(2)].__name__, line, int(match.group(1)) + 1)] += 1
        ours = collections.Counter((_syntax_name(n), n.line, n.column)
                                   for n in expression_nodes(parse_bicep(text)) if _syntax_name(n) in names)
        for key in expected.keys() | ours.keys():
            total[key[0]] += expected[key]
            mismatched[key[0]] += abs(expected[key] - ours[key])
    if files:
        print(f"node positions against the compiler's syntax baselines ({files} samples): "
              f"{sum(total.values()) - sum(mismatched.values())}/{sum(total.values())} agree")
        for name in sorted(total):
            if mismatched[name]:
                print(f"    {name}: {mismatched[name]} of {total[name]} differ")


def report(label: str, files: list, failures: dict, seconds: float, show: int) -> None:
    lines = sum(text.count("\n") + 1 for _, text in files)
    print(f"{label}: {len(files) - len(failures)}/{len(files)} files parsed "
          f"({100 * (len(files) - len(failures)) / max(len(files), 1):.1f}%), "
          f"{seconds:.2f} s for {lines} lines ({lines / max(seconds, 1e-9):,.0f} lines/s)")
    by_repo = collections.Counter("/".join(name.split("/")[:2]) for name, _ in files)
    failed_by_repo = collections.Counter("/".join(name.split("/")[:2]) for name in failures)
    if len(by_repo) > 1:
        for repo, count in sorted(by_repo.items()):
            print(f"  {repo}: {count - failed_by_repo[repo]}/{count}")
    kinds = collections.Counter(error_kind(message.split(" ", 1)[-1]) for message in failures.values())
    for kind, count in kinds.most_common():
        print(f"  {count:5d}  {kind}")
    for name, message in sorted(failures.items())[:show]:
        print(f"    {name}: {message}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", help="folders to read instead of the default mirrors")
    parser.add_argument("--pycep", metavar="PYTHON", help="an interpreter with pycep-parser installed")
    parser.add_argument("--show", type=int, default=10, help="failing files to list per parser")
    args = parser.parse_args()

    files = folder_files(args.folders) if args.folders else mirror_files()
    if not files:
        print("no Bicep files found", file=sys.stderr)
        return
    failures, seconds = run_ours(files)
    report("ours", files, failures, seconds, args.show)
    largest = max(files, key=lambda item: item[1].count("\n"))
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        parse_bicep(largest[1])
        runs.append(time.perf_counter() - start)
    print(f"  largest file: {largest[0]} ({largest[1].count(chr(10)) + 1} lines) "
          f"in {1000 * min(runs):.1f} ms (best of 5)")
    if not args.folders:
        compiler_agreement()
        tree_agreement()
    if args.pycep:
        pycep_failures, pycep_seconds = run_pycep(args.pycep, files)
        report("pycep-parser", files, pycep_failures, pycep_seconds, args.show)
        stripped = [(name, text.lstrip("\ufeff")) for name, text in files]
        bom_failures, bom_seconds = run_pycep(args.pycep, stripped)
        report("pycep-parser, byte order mark removed first", files, bom_failures, bom_seconds, 0)


if __name__ == "__main__":
    main()
