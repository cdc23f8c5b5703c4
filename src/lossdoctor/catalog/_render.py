"""Rule pages and listings, for the terminal and for docs/rules/.

docs/rules/ is generated from the catalog by
``python -m lossdoctor.catalog._render docs/rules``; a test fails when it is stale.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path
from typing import Iterable

from ._model import SURFACES, Diagnosis


def as_dict(d: Diagnosis) -> dict:
    return {
        "code": d.code,
        "name": d.name,
        "title": d.title,
        "severity": d.severity,
        "kind": d.kind,
        "surfaces": [SURFACES[s] for s in d.surfaces],
        "message": d.message,
        "fix": d.fix,
        "why": d.why,
        "bad": d.bad,
        "good": d.good,
        "raises": d.raises,
        "torch_versions": d.torch_versions,
        "related": list(d.related),
    }


def _surfaces(d: Diagnosis) -> str:
    return ", ".join(SURFACES[s] for s in d.surfaces)


def rules_table(entries: Iterable[Diagnosis]) -> str:
    rows = [(d.code, d.name, d.severity, d.surfaces, d.title.replace("`", "")) for d in entries]
    if not rows:
        return ""
    w = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = [
        f"{'code':<{w[0]}}  {'name':<{w[1]}}  {'severity':<{max(w[2], 8)}}  {'on':<{max(w[3], 4)}}  title"
    ]
    for r in rows:
        lines.append(f"{r[0]:<{w[0]}}  {r[1]:<{w[1]}}  {r[2]:<{max(w[2], 8)}}  {r[3]:<{max(w[3], 4)}}  {r[4]}")
    lines.append("")
    lines.append("Surfaces: S lint, R runtime, E explain, M monitor.  `lossdoctor rule CODE` shows one.")
    return "\n".join(lines) + "\n"


def rule_page(d: Diagnosis, markdown: bool = False) -> str:
    if markdown:
        return _markdown_page(d)
    out = [f"{d.code} {d.name} ({d.severity}, {d.kind})", "", f"  {d.title.replace('`', '')}", ""]
    out.append(f"Surfaces: {_surfaces(d)}")
    if d.torch_versions:
        out.append(f"Torch versions: {d.torch_versions}")
    if d.raises:
        out.append(f"PyTorch raises: {d.raises}")
    out += ["", "Why", textwrap.indent(d.why.strip(), "  "), "", "Fix", f"  {d.fix}"]
    if d.bad.strip():
        out += ["", "Bad", textwrap.indent(d.bad.rstrip(), "    ")]
    if d.good.strip():
        out += ["", "Good", textwrap.indent(d.good.rstrip(), "    ")]
    if d.related:
        out += ["", "Related: " + ", ".join(d.related)]
    return "\n".join(out) + "\n"


def _markdown_page(d: Diagnosis) -> str:
    out = [
        f"# {d.code} `{d.name}`",
        "",
        "<!-- generated from the catalog by `python -m lossdoctor.catalog._render docs/rules`; do not edit -->",
        "",
        f"**{d.title}**",
        "",
        f"- Severity: {d.severity} ({d.kind})",
        f"- Surfaces: {_surfaces(d)}",
    ]
    if d.raises:
        out.append(f"- PyTorch raises: `{d.raises}`")
    if d.torch_versions:
        out.append(f"- Torch versions: {d.torch_versions}")
    out += ["", "## Why is this bad?", "", d.why.strip(), "", "## How to fix it", "", d.fix + "."]
    if d.bad.strip():
        out += ["", "## Example", "", "```python", d.bad.rstrip(), "```"]
    if d.good.strip():
        out += ["", "## Use instead", "", "```python", d.good.rstrip(), "```"]
    if d.related:
        out += ["", "## Related", "", ", ".join(f"[{c}]({c}.md)" for c in d.related)]
    return "\n".join(out) + "\n"


def docs_files() -> dict[str, str]:
    """File name -> content of every generated page in docs/rules/."""
    from . import all_diagnoses

    entries = list(all_diagnoses())
    files = {f"{d.code}.md": _markdown_page(d) for d in entries}
    index = [
        "# lossdoctor diagnoses",
        "",
        "<!-- generated from the catalog by `python -m lossdoctor.catalog._render docs/rules`; do not edit -->",
        "",
        "Surfaces: S lint, R runtime, E explain, M monitor.",
        "",
        "| code | name | severity | surfaces | title |",
        "|---|---|---|---|---|",
    ]
    for d in entries:
        index.append(f"| [{d.code}]({d.code}.md) | `{d.name}` | {d.severity} | {d.surfaces} | {d.title} |")
    files["README.md"] = "\n".join(index) + "\n"
    return files


def write_docs(directory: Path) -> list[str]:
    directory.mkdir(parents=True, exist_ok=True)
    files = docs_files()
    for stale in directory.glob("*.md"):
        if stale.name not in files:
            stale.unlink()
    for name, content in files.items():
        (directory / name).write_text(content, encoding="utf-8")
    return sorted(files)


if __name__ == "__main__":  # pragma: no cover
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/rules")
    print(f"wrote {len(write_docs(target))} files to {target}")
