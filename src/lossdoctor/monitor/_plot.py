"""Pictures of the loss: a PNG (matplotlib) and a self-contained HTML page (inline SVG).

One panel per call site: the loss curve over steps, ln(C) as a dashed line where
the chance level is known, and a marker with the code where each diagnosis
fired.  Non-finite values are drawn as red ticks on the top edge.
"""

from __future__ import annotations

import html as _html
import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from ._monitor import series_label

if TYPE_CHECKING:  # pragma: no cover
    from ._monitor import Monitor
    from ._rules import Series

MARKER_COLOURS = {"LD701": "#d62728", "LD702": "#7b3fb0", "LD502": "#b0006e", "LD703": "#d46a00"}
MAX_SVG_POINTS = 1500


def _panels(monitor: "Monitor") -> list["Series"]:
    series = [s for s in monitor.series() if len(s.values)]
    # training curves first, then evaluation curves, each in order of first call
    return [s for s in series if s.training] + [s for s in series if not s.training]


def _needs_symlog(values: Sequence[float]) -> bool:
    finite = [abs(v) for v in values if math.isfinite(v)]
    if not finite:
        return False
    big = max(finite)
    return big > 1e3 and big / (sorted(finite)[len(finite) // 2] + 1e-12) > 1e3


def write_png(monitor: "Monitor", path: str | os.PathLike, *, title: str | None = None, dpi: int = 110) -> str:
    """Draw every call site's loss curve into one PNG; return the path written."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError(
            "lossdoctor: the PNG plot needs matplotlib; install it with "
            "`pip install 'lossdoctor[plot]'` or use the HTML report (Monitor.html)"
        ) from None
    panels = _panels(monitor)
    rows = max(1, len(panels))
    fig = Figure(figsize=(11, 3.2 * rows), dpi=dpi)
    FigureCanvasAgg(fig)
    axes = fig.subplots(rows, 1, squeeze=False)[:, 0]
    if not panels:
        axes[0].text(0.5, 0.5, "no loss values were recorded", ha="center", va="center", transform=axes[0].transAxes)
        axes[0].set_axis_off()
    for ax, series in zip(axes, panels):
        steps = list(series.steps)
        values = list(series.values)
        finite = [(s, v) for s, v in zip(steps, values) if math.isfinite(v)]
        if finite:
            ax.plot([s for s, _ in finite], [v for _, v in finite], color="#1f77b4", linewidth=1.2,
                    label="loss" if series.training else "loss (eval)")
        if _needs_symlog(values):
            from matplotlib.ticker import SymmetricalLogLocator

            ax.set_yscale("symlog", linthresh=1.0)
            locator = SymmetricalLogLocator(base=10, linthresh=1.0)
            locator.set_params(numticks=6)
            ax.yaxis.set_major_locator(locator)
        bad = [s for s, v in zip(steps, values) if not math.isfinite(v)]
        if bad:
            ax.plot(bad, [1.0] * len(bad), linestyle="none", marker="|", markersize=10, color="#d62728",
                    transform=ax.get_xaxis_transform(), label=f"non-finite ({len(bad)})", clip_on=False)
        chance = series.chance_level
        if chance is not None:
            ax.axhline(chance, color="#7f7f7f", linestyle="--", linewidth=1,
                       label=f"chance ln({series.num_classes}) = {chance:.3f}")
        for n, (code, step, value, runtime) in enumerate(_marks(monitor, series)):
            colour = MARKER_COLOURS.get(code, "#9467bd" if runtime else "#2ca02c")
            ax.axvline(step, color=colour, linewidth=1, alpha=0.6, linestyle=":" if runtime else "-")
            if value is not None:
                ax.plot([step], [value], marker="o", markersize=7, color=colour, zorder=5)
            ax.annotate(f"{code} {_name(code)}", xy=(step, 1.0), xycoords=("data", "axes fraction"),
                        xytext=(3, -12 - 11 * n), textcoords="offset points", color=colour, fontsize=8,
                        fontweight="bold", bbox=dict(boxstyle="square,pad=0.1", facecolor="white",
                                                     edgecolor="none", alpha=0.8))
        ax.set_title(series_label(series), fontsize=9, loc="left")
        ax.set_xlabel("step")
        ax.set_ylabel(series.loss_name)
        ax.grid(True, alpha=0.3)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, borderaxespad=0)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, format="png")
    return str(out)


def write_html(monitor: "Monitor", path: str | os.PathLike, *, title: str = "lossdoctor: loss curves",
               findings: Sequence[Any] | None = None) -> str:
    """Write a self-contained HTML page (inline SVG, inline CSS, no scripts); return the path.

    ``findings`` defaults to the monitor's; ``lossdoctor run`` passes the whole
    report (runtime and monitor findings).
    """
    if findings is None:
        findings = monitor.findings()
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{_e(title)}</title>",
        "<style>",
        "body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:1000px}",
        "h1{font-size:1.4em}h2{font-size:1.05em;margin-top:1.6em}",
        "table{border-collapse:collapse;width:100%;font-size:.9em}",
        "td,th{border:1px solid #ccc;padding:.35em .5em;text-align:left;vertical-align:top}",
        "th{background:#f4f4f4}code{background:#f4f4f4;padding:0 .2em}",
        ".error{color:#b00020;font-weight:bold}.warning{color:#b26a00;font-weight:bold}.info{color:#555}",
        "svg{background:#fff;border:1px solid #ddd}",
        "</style></head><body>",
        f"<h1>{_e(title)}</h1>",
    ]
    parts.append(_findings_table(findings))
    panels = _panels(monitor)
    if not panels:
        parts.append("<p>No loss values were recorded.</p>")
    for series in panels:
        parts.append(f"<h2>{_e(series_label(series))}</h2>")
        parts.append(_svg(monitor, series))
    parts.append("</body></html>")
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(parts) + "\n", encoding="utf-8")
    return str(out)


def _findings_table(findings: Sequence[Any]) -> str:
    if not findings:
        return "<p>No findings.</p>"
    rows = ["<table><tr><th>code</th><th>severity</th><th>where</th><th>message</th><th>fix</th></tr>"]
    for f in findings:
        d = f.to_dict() if hasattr(f, "to_dict") else dict(f)
        where = f"{d.get('path')}:{d.get('line')}" if d.get("path") else ""
        ranks = d.get("ranks") or ((f.details.get("rank"),) if hasattr(f, "details") and "rank" in f.details else ())
        if ranks:
            where += f" (rank {', '.join(str(r) for r in ranks)})"
        sev = str(d.get("severity", ""))
        rows.append(
            f"<tr><td><code>{_e(d.get('code'))}</code><br>{_e(d.get('name', ''))}</td>"
            f'<td class="{_e(sev)}">{_e(sev)}</td><td>{_e(where)}</td>'
            f"<td>{_e(d.get('message', ''))}</td><td>{_e(d.get('fix', ''))}</td></tr>"
        )
    rows.append("</table>")
    return "\n".join(rows)


def _svg(monitor: "Monitor", series: "Series", width: int = 900, height: int = 260) -> str:
    left, right, top, bottom = 60, 15, 20, 35
    pw, ph = width - left - right, height - top - bottom
    steps = list(series.steps)
    values = list(series.values)
    finite = [(s, v) for s, v in zip(steps, values) if math.isfinite(v)]
    symlog = _needs_symlog(values)
    tf = (lambda v: math.copysign(math.log10(1 + abs(v)), v)) if symlog else (lambda v: v)
    xs = steps or [0]
    x0, x1 = min(xs), max(xs)
    if x1 == x0:
        x1 = x0 + 1
    ys = [tf(v) for _, v in finite]
    chance = series.chance_level
    if chance is not None:
        ys.append(tf(chance))
    y0, y1 = (min(ys), max(ys)) if ys else (0.0, 1.0)
    if y1 - y0 < 1e-9:
        y0, y1 = y0 - 0.5, y1 + 0.5
    pad = 0.05 * (y1 - y0)
    y0, y1 = y0 - pad, y1 + pad

    def px(s: float) -> float:
        return left + (s - x0) / (x1 - x0) * pw

    def py(v: float) -> float:
        return top + (y1 - tf(v)) / (y1 - y0) * ph

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" aria-label="{_e(series_label(series))}">']
    # axes and ticks
    out.append(f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#999"/>')
    for yv in _ticks(y0, y1, integer=symlog):
        yy = py(_untf(yv, symlog))
        label = f"1e{int(yv)}" if symlog and yv >= 1 else _short(_untf(yv, symlog))
        out.append(f'<line x1="{left}" x2="{left + pw}" y1="{yy:.1f}" y2="{yy:.1f}" stroke="#eee"/>')
        out.append(f'<text x="{left - 5}" y="{yy + 4:.1f}" font-size="10" text-anchor="end">{_e(label)}</text>')
    for sv in _ticks(x0, x1, integer=True):
        xx = px(sv)
        out.append(f'<text x="{xx:.1f}" y="{top + ph + 14}" font-size="10" text-anchor="middle">{int(sv)}</text>')
    out.append(f'<text x="{left + pw / 2}" y="{height - 4}" font-size="11" text-anchor="middle">step</text>')
    if chance is not None:
        yy = py(chance)
        out.append(f'<line x1="{left}" x2="{left + pw}" y1="{yy:.1f}" y2="{yy:.1f}" stroke="#7f7f7f" '
                   'stroke-dasharray="5,4"/>')
        out.append(f'<text x="{left + pw - 4}" y="{yy - 4:.1f}" font-size="10" text-anchor="end" fill="#555">'
                   f"chance ln({series.num_classes}) = {chance:.3f}</text>")
    points = _thin(finite, MAX_SVG_POINTS)
    if points:
        d = " ".join(f"{px(s):.1f},{py(v):.1f}" for s, v in points)
        out.append(f'<polyline fill="none" stroke="#1f77b4" stroke-width="1.3" points="{d}"/>')
    for s, v in zip(steps, values):
        if not math.isfinite(v):
            xx = px(s)
            out.append(f'<line x1="{xx:.1f}" x2="{xx:.1f}" y1="{top}" y2="{top + 8}" stroke="#d62728" stroke-width="2">'
                       f"<title>step {s}: {v}</title></line>")
    for n, (code, step, value, runtime) in enumerate(_marks(monitor, series)):
        colour = MARKER_COLOURS.get(code, "#9467bd" if runtime else "#2ca02c")
        xx = px(step)
        anchor = "end" if xx > left + 0.7 * pw else "start"
        tx = xx - 4 if anchor == "end" else xx + 4
        dash = ' stroke-dasharray="2,3"' if runtime else ""
        out.append(f'<line x1="{xx:.1f}" x2="{xx:.1f}" y1="{top}" y2="{top + ph}" stroke="{colour}" '
                   f'stroke-opacity="0.6"{dash}/>')
        if value is not None:
            out.append(f'<circle cx="{xx:.1f}" cy="{py(value):.1f}" r="4.5" fill="{colour}">'
                       f"<title>{code} at step {step}: {value:.4g}</title></circle>")
        out.append(f'<text x="{tx:.1f}" y="{top + 12 + 13 * n}" font-size="11" font-weight="bold" fill="{colour}" '
                   f'text-anchor="{anchor}">{_e(code)} {_e(_name(code))}</text>')
    out.append("</svg>")
    return "\n".join(out)


def _marks(monitor: "Monitor", series: "Series") -> list[tuple[str, int, float | None, bool]]:
    """Where each diagnosis fired on this curve: (code, step, loss value or None, from the runtime?).

    Monitor findings mark the step they fired at; runtime findings made at the
    same call site mark the call at which they were first seen.
    """
    marks: list[tuple[str, int, float | None, bool]] = []
    for code, fired in series.fired.items():
        if monitor._keep(series, fired):
            marks.append((code, fired.step, fired.value if math.isfinite(fired.value) else None, False))
    steps, values = list(series.steps), list(series.values)
    for code, (finding, calls) in monitor._notes.get(series.site, {}).items():
        index = calls.get(series.training, 0)
        if code in series.fired or not steps:
            continue
        index = min(index, len(steps) - 1)
        value = values[index] if math.isfinite(values[index]) else None
        marks.append((code, steps[index], value, True))
    return marks


def _thin(points: list[tuple[int, float]], limit: int) -> list[tuple[int, float]]:
    """Keep the shape of a long curve: min and max of each bucket."""
    if len(points) <= limit:
        return points
    size = math.ceil(len(points) / (limit // 2))
    out: list[tuple[int, float]] = []
    for i in range(0, len(points), size):
        bucket = points[i:i + size]
        lo = min(bucket, key=lambda p: p[1])
        hi = max(bucket, key=lambda p: p[1])
        out.extend(sorted({lo, hi}))
    return out


def _ticks(lo: float, hi: float, integer: bool = False, count: int = 5) -> list[float]:
    """Round tick values (1, 2 or 5 times a power of ten apart) inside [lo, hi]."""
    span = hi - lo
    if span <= 0:
        return [lo]
    raw = span / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    if integer:
        step = max(1.0, round(step))
    first = math.ceil(lo / step) * step
    out = []
    value = first
    while value <= hi + 1e-9 * abs(step):
        out.append(round(value, 10))
        value += step
    return out


def _untf(v: float, symlog: bool) -> float:
    return math.copysign(10 ** abs(v) - 1, v) if symlog else v


def _short(v: float) -> str:
    return f"{v:.3g}" if abs(v) >= 1e4 or (v != 0 and abs(v) < 1e-2) else f"{v:.3f}".rstrip("0").rstrip(".")


def _name(code: str) -> str:
    try:
        from ..catalog import get

        return get(code).name
    except KeyError:
        return ""


def _e(value: Any) -> str:
    return _html.escape("" if value is None else str(value), quote=True)
