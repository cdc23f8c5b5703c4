"""Jupyter notebooks: the code cells as one program, with a map back to cells."""

from __future__ import annotations

import json


class NotebookError(ValueError):
    pass


def notebook_source(raw: str) -> tuple[str, list[tuple[int, int]]]:
    """Concatenate the code cells; return (source, [(first_line, cell_number), ...]).

    IPython magics and shell escapes (``%time``, ``!pip``) become comments so
    the cell still parses and keeps its line count.  Cell numbers are 1-based
    and count every cell, as Jupyter shows them.
    """
    try:
        nb = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise NotebookError(f"not a valid notebook: {exc.msg} (line {exc.lineno})") from None
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if not isinstance(cells, list):
        raise NotebookError("not a valid notebook: no `cells` list")
    parts: list[str] = []
    starts: list[tuple[int, int]] = []
    line = 1
    for number, cell in enumerate(cells, 1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        src = cell.get("source", "")
        text = "".join(src) if isinstance(src, list) else str(src)
        lines = text.splitlines()
        if lines and lines[0].startswith("%%"):
            lines = ["# " + ln for ln in lines]  # a cell magic: the body is not Python
        lines = [("# " + ln) if ln.lstrip().startswith(("%", "!")) else ln for ln in lines]
        starts.append((line, number))
        parts.append("\n".join(lines) + "\n")
        line += len(lines)
    return "".join(parts), starts


def cell_position(line: int, starts: list[tuple[int, int]]) -> tuple[int, int]:
    """Program line -> (cell number, line within the cell)."""
    cell, first = 1, 1
    for first_line, number in starts:
        if first_line > line:
            break
        cell, first = number, first_line
    return cell, line - first + 1
