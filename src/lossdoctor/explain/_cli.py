"""`lossdoctor explain [FILE|-]`: explain a PyTorch loss error from its text.

Exit codes: 0 a loss error was recognised; 1 no loss error recognised (an
unknown error, or no error at all); 2 the input could not be read (missing
file, binary, empty).  Imports nothing heavy (never torch).
"""

from __future__ import annotations

import argparse
import sys


def configure(command: str, parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", nargs="?", default="-", metavar="FILE",
                        help="a file holding the traceback or error message; '-' or nothing reads standard input")
    parser.add_argument("-m", "--message", help="explain this text instead of reading a file")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--no-source", action="store_true",
                        help="do not read the files the traceback names (message-only diagnosis)")
    parser.add_argument("-q", "--quiet", action="store_true", help="print the diagnoses without their evidence")
    parser.epilog = "exit status: 0 recognised, 1 not a known loss error, 2 unreadable or empty input"


def main(command: str, args: argparse.Namespace) -> int:
    import json

    from ._engine import explain_parsed
    from ._traceback import InputError, parse_stream, parse_text

    try:
        if args.message is not None:
            parsed = parse_text(args.message)
        elif args.file in ("-", None):
            if sys.stdin is None:
                return _fail("no input: standard input is closed")
            if sys.stdin.isatty():
                print("Paste the traceback or error message, then press Ctrl-D (Ctrl-Z Enter on Windows):",
                      file=sys.stderr)
            parsed = parse_stream(sys.stdin.buffer)
        else:
            try:
                with open(args.file, "rb") as f:
                    parsed = parse_stream(f)
            except IsADirectoryError:
                return _fail(f"{args.file} is a directory, not a file")
            except FileNotFoundError:
                return _fail(f"no such file: {args.file}")
            except OSError as exc:
                return _fail(f"cannot read {args.file}: {exc.strerror or exc}")
    except InputError as exc:
        return _fail(f"{exc}; give the text of a traceback or error message")
    except UnicodeError as exc:  # pragma: no cover - decoders replace, but be safe
        return _fail(f"cannot decode the input: {exc}")

    if parsed.n_chars == 0 or (not parsed.errors and not parsed.hits and _blank(parsed)):
        return _fail("no input: give a traceback or an error message (a file, '-' for standard input, or -m TEXT)")

    exp = explain_parsed(parsed, source_evidence=not args.no_source)
    if args.format == "json":
        print(json.dumps(exp.to_dict(), indent=2))
    else:
        sys.stdout.write(exp.render_text(verbose=not args.quiet))
    return 0 if exp.recognised else 1


def _blank(parsed) -> bool:
    return parsed.n_lines <= 1 and parsed.n_chars <= 1


def _fail(message: str) -> int:
    print(f"lossdoctor explain: {message}", file=sys.stderr)
    return 2
