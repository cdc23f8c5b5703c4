"""`lossdoctor rules` and `lossdoctor rule CODE`."""

from __future__ import annotations

import argparse
import json


def configure(command: str, parser: argparse.ArgumentParser) -> None:
    if command == "rule":
        parser.add_argument("rule", help="a code (LD101) or a name (softmax-before-cross-entropy)")
        parser.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    else:
        parser.add_argument("--format", choices=("text", "json"), default="text")
        parser.add_argument("--surface", choices=("S", "R", "E", "M"), help="only diagnoses on this surface")


def main(command: str, args: argparse.Namespace) -> int:
    from . import all_diagnoses, find
    from ._render import as_dict, rule_page, rules_table

    if command == "rule":
        entry = find(args.rule)
        if entry is None:
            from difflib import get_close_matches
            from . import codes

            names = codes() + [d.name for d in all_diagnoses()]
            near = get_close_matches(args.rule, names, n=3)
            hint = f" (did you mean {', '.join(near)}?)" if near else ""
            print(f"lossdoctor: no diagnosis named {args.rule!r}{hint}; `lossdoctor rules` lists them")
            return 2
        if args.format == "json":
            print(json.dumps(as_dict(entry), indent=2))
        else:
            print(rule_page(entry, markdown=args.format == "markdown"), end="")
        return 0
    entries = [d for d in all_diagnoses() if not args.surface or d.on(args.surface)]
    if args.format == "json":
        print(json.dumps([as_dict(d) for d in entries], indent=2))
    else:
        print(rules_table(entries), end="")
    return 0
