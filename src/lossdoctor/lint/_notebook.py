"""Jupyter notebooks: the code cells as one program, with a map back to cells.

The program is the code cells one after the other, each kept byte for byte
except that IPython magics and shell escapes (``%time``, ``!pip``, a ``%%``
cell magic) become comments, so every cell parses and keeps its line count.
Fixes are mapped back into the cells they touch; a fix that would cross a
cell boundary or touch a magic line is not applied.
"""

from __future__ import annotations

import json
import re
from typing import Any


_PYTHON_BODY = re.compile(r"%%(time|timeit|capture|prun|debug)\b")


class NotebookError(ValueError):
    pass


class Notebook:
    def __init__(self, raw: str) -> None:
        try:
            nb = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise NotebookError(f"not a valid notebook: {exc.msg} (line {exc.lineno})") from None
        cells = nb.get("cells") if isinstance(nb, dict) else None
        if not isinstance(cells, list):
            raise NotebookError("not a valid notebook: no `cells` list")
        self.raw = raw
        self.nb = nb
        # (cell number, cell dict, cell text) of every code cell; numbers count every cell, as Jupyter shows them.
        self.code: list[tuple[int, dict[str, Any], str]] = []
        for number, cell in enumerate(cells, 1):
            if isinstance(cell, dict) and cell.get("cell_type") == "code":
                src = cell.get("source", "")
                self.code.append((number, cell, "".join(src) if isinstance(src, list) else str(src)))

    def program(self) -> tuple[str, list[tuple[int, int]], list[tuple[int, int, list[tuple[int, int, bool]]]]]:
        """(program text, [(first line, cell number)], per cell (start, end, line map)).

        The line map lists, for each line of the cell, (offset in the program's
        copy, offset in the cell's own text, whether it is a commented-out magic).
        """
        parts: list[str] = []
        starts: list[tuple[int, int]] = []
        spans: list[tuple[int, int, list[tuple[int, int, bool]]]] = []
        line = 1
        offset = 0
        for number, _, text in self.code:
            lines = text.splitlines(keepends=True)
            # A cell magic's body is Python only for the few that time or capture it.
            cell_magic = bool(lines) and lines[0].startswith("%%") and not _PYTHON_BODY.match(lines[0])
            out: list[str] = []
            line_map: list[tuple[int, int, bool]] = []
            t_pos = o_pos = 0
            for ln in lines:
                magic = cell_magic or ln.lstrip().startswith(("%", "!"))
                line_map.append((t_pos, o_pos, magic))
                out.append("# " + ln if magic else ln)
                t_pos += len(out[-1])
                o_pos += len(ln)
            seg = "".join(out)
            if not seg.endswith("\n"):
                seg += "\n"
            starts.append((line, number))
            spans.append((offset, offset + len(seg), line_map))
            parts.append(seg)
            line += seg.count("\n")
            offset += len(seg)
        return "".join(parts), starts, spans

    def apply(self, edits: list[tuple[int, int, str]]) -> bool:
        """Apply the program-offset edits of one fix to the cells; False (nothing changed) if they cannot be mapped."""
        _, _, spans = self.program()
        mapped: list[tuple[int, int, int, str]] = []
        for a, b, text in edits:
            for index, (start, end, line_map) in enumerate(spans):
                if start <= a and b <= end:
                    break
            else:
                return False  # outside the cells, or across two of them
            local = []
            for x in (a - start, b - start):
                entry = None
                for t_start, o_start, magic in line_map:
                    if t_start <= x:
                        entry = (t_start, o_start, magic)
                if entry is None:
                    local.append(x)
                    continue
                if entry[2]:
                    return False  # never rewrite a magic line
                local.append(entry[1] + (x - entry[0]))
            cell_text = self.code[index][2]
            if local[1] > len(cell_text):
                return False
            mapped.append((index, local[0], local[1], text))
        for index, a, b, text in sorted(mapped, key=lambda m: (m[0], m[1]), reverse=True):
            number, cell, old = self.code[index]
            self.code[index] = (number, cell, old[:a] + text + old[b:])
        return True

    def dumps(self) -> str:
        """The notebook with the new cell texts, in the file's own JSON layout where it can tell."""
        for _, cell, text in self.code:
            if isinstance(cell.get("source"), list):
                cell["source"] = text.splitlines(keepends=True)
            else:
                cell["source"] = text
        m = re.match(r"\{\s*?\n( *)\"", self.raw)
        indent = len(m.group(1)) if m else 1
        return json.dumps(self.nb, indent=indent, ensure_ascii=False) + ("\n" if self.raw.endswith("\n") else "")


def notebook_source(raw: str) -> tuple[str, list[tuple[int, int]]]:
    """Concatenate the code cells; return (source, [(first_line, cell_number), ...])."""
    text, starts, _ = Notebook(raw).program()
    return text, starts


def cell_position(line: int, starts: list[tuple[int, int]]) -> tuple[int, int]:
    """Program line -> (cell number, line within the cell)."""
    cell, first = 1, 1
    for first_line, number in starts:
        if first_line > line:
            break
        cell, first = number, first_line
    return cell, line - first + 1
