"""`lossdoctor merge REPORT.rank0.json REPORT.rank1.json ... [-o merged.json] [--format text|json]`.

Combines the per-rank JSON reports of a distributed run into one report that
lists each finding once with the ranks it came from.  ``lossdoctor run`` does
this by itself on rank 0; this command is for runs whose rank 0 gave up waiting
or for reports gathered from several machines.  Imports nothing heavy.
"""

from __future__ import annotations

import argparse
import json
import sys


def configure(command: str, parser: argparse.ArgumentParser) -> None:
    parser.add_argument("reports", nargs="+", metavar="REPORT", help="per-rank JSON reports (report.rank0.json ...)")
    parser.add_argument("--output", "-o", metavar="FILE", help="write the merged report to FILE instead of stdout")
    parser.add_argument("--format", choices=("json", "text"), default="json", help="output format (default: json)")


def main(command: str, args: argparse.Namespace) -> int:
    from ._merge import load_report, merge_reports

    try:
        reports = [load_report(path) for path in args.reports]
    except ValueError as exc:
        print(f"lossdoctor {command}: {exc}", file=sys.stderr)
        return 2
    for position, (path, report) in enumerate(zip(args.reports, reports)):
        report.setdefault("rank", position)
    try:
        merged = merge_reports(reports)
    except ValueError as exc:
        print(f"lossdoctor {command}: {exc}", file=sys.stderr)
        return 2
    text = json.dumps(merged, indent=2) + "\n" if args.format == "json" else render_merged_text(merged)
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as fh:
                fh.write(text)
        except OSError as exc:
            print(f"lossdoctor {command}: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
            return 2
    else:
        sys.stdout.write(text)
    return 0


def render_merged_text(merged: dict) -> str:
    findings = merged.get("findings", [])
    ranks = merged.get("ranks", [])
    lines = [f"lossdoctor: {len(findings)} finding{'s' if len(findings) != 1 else ''} "
             f"from {len(ranks)} rank{'s' if len(ranks) != 1 else ''}"]
    if merged.get("missing_ranks"):
        lines.append(f"  no report from rank(s) {', '.join(str(r) for r in merged['missing_ranks'])}")
    for f in findings:
        where = f"{f.get('path')}:{f.get('line')}" if f.get("path") else "<unknown>"
        on = ", ".join(str(r) for r in f.get("ranks", []))
        lines.append("")
        lines.append(f"{where}: {f.get('code')} {f.get('name', '')} [{f.get('severity', '')}] (rank {on})")
        lines.append(f"  {f.get('message', '')}")
        if f.get("fix"):
            lines.append(f"  fix: {f['fix']}")
    return "\n".join(lines) + "\n"
