"""Render docs/rules/ from the policy files (the only prose source): ``python -m validator.docs``."""
from __future__ import annotations

import sys
from pathlib import Path


def render_all() -> dict[str, str]:
    """{file name: markdown} for every rule plus the index."""
    from validator.cli import explain
    from validator.policies import load_policies

    pages = {f"{p.id}.md": explain(p.id) for p in load_policies()}
    index = ["# Rules", "", "| id | name | severity | prevents |", "|---|---|---|---|"]
    index += [f"| [{p.id}]({p.id}.md) | {p.name} | {p.severity} | {', '.join(p.codes)} |" for p in load_policies()]
    pages["README.md"] = "\n".join(index) + "\n"
    return pages


def main() -> int:
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/rules")
    target.mkdir(parents=True, exist_ok=True)
    for name, text in render_all().items():
        (target / name).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
