"""`lossdoctor run [options] script.py [args...]` / `lossdoctor run [options] -m module [args...]`.

Runs the script as ``python script.py args`` would (same ``sys.argv``,
``__name__ == "__main__"``, exit code) with every loss call checked, and prints
a report of everything found when it ends, crash or not.  Importing this module
must stay cheap: torch is imported only when a script is actually run.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from typing import Any

# Options of `run` itself that take a value; everything from the script name on belongs to the script.
_VALUE_OPTIONS = {"--mode", "--format", "--output", "-o", "--value-check-every", "--accelerator-check-every", "--plot", "--html"}


def configure(command: str, parser: argparse.ArgumentParser) -> None:
    parser.usage = "lossdoctor run [options] (script.py | -m module) [args ...]"
    parser.add_argument(
        "--mode",
        choices=("warn", "raise", "collect"),
        default="warn",
        help="warn (default): raise for bugs PyTorch would raise on, warn once per call site for silent ones; "
        "raise: also stop at silent bugs; collect: only report at the end",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="report format (default: text); JSON goes to stdout after the script's own output, "
                        "so use --output FILE to keep them apart")
    parser.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of stderr")
    parser.add_argument(
        "--value-check-every", type=_count, default=None, metavar="N",
        help="run value checks (ranges, row sums) every N calls per call site on CPU, after the first 8 (default: 50; 0: only the first 8)",
    )
    parser.add_argument(
        "--accelerator-check-every", type=_count, default=None, metavar="N",
        help="the same for GPU tensors, after the first 8 calls (default: 100; each costs a host sync)",
    )
    parser.add_argument("--no-monitor", action="store_true", help="do not watch the loss values over time")
    parser.add_argument("--plot", metavar="PNG", help="draw the loss curve of each call site, with the diagnoses marked, to PNG (needs matplotlib)")
    parser.add_argument("--html", metavar="HTML", help="write a self-contained HTML report with the loss curves and findings")
    parser.add_argument("-m", dest="module", metavar="MODULE", help="run a library module as a script")
    parser.add_argument("script", nargs="?", help="the Python script to run")
    parser.set_defaults(target=[])


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more, got {value}")
    return value


def split_run_argv(argv: list[str]) -> tuple[list[str], list[str]]:
    """Split `run`'s own options from the script and its arguments (which are never parsed)."""
    own: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "-m":
            own += argv[i : i + 2]
            return own, argv[i + 2 :]
        if arg == "--":
            return own + argv[i + 1 : i + 2], argv[i + 2 :]
        if arg.startswith("-") and arg != "-":
            own.append(arg)
            if arg in _VALUE_OPTIONS and "=" not in arg and i + 1 < len(argv):
                own.append(argv[i + 1])
                i += 1
            i += 1
            continue
        return own + [arg], argv[i + 1 :]
    return own, []


def main(command: str, args: argparse.Namespace) -> int:
    if not args.script and not args.module:
        print("lossdoctor run: give a script (lossdoctor run train.py) or a module (lossdoctor run -m pkg.train)", file=sys.stderr)
        return 2
    if args.script and not os.path.exists(args.script):
        print(f"lossdoctor run: can't open file {args.script!r}: no such file", file=sys.stderr)
        return 2
    if args.script and os.path.isdir(args.script) and not os.path.exists(os.path.join(args.script, "__main__.py")):
        print(f"lossdoctor run: can't find '__main__' module in {args.script!r}", file=sys.stderr)
        return 1  # as python itself
    for option in ("output", "plot", "html"):
        problem = _unwritable(getattr(args, option))
        if problem:  # said before the run, not after hours of training
            print(f"lossdoctor run: --{option} {getattr(args, option)!r}: {problem}", file=sys.stderr)
            return 2
    if args.module:
        import importlib.util

        try:
            found = importlib.util.find_spec(args.module) if args.module.strip(".") else None
        except (ImportError, ValueError):
            found = None
        if found is None and not _importable_from_cwd(args.module):
            print(f"lossdoctor run: no module named {args.module!r}", file=sys.stderr)
            return 1  # as python itself
    try:
        import torch  # noqa: F401
    except ImportError:
        print("lossdoctor run: torch is not installed; `pip install torch` (>= 2.1) to check loss calls", file=sys.stderr)
        return 2
    from . import install, uninstall
    from ._session import DEFAULTS

    options: dict[str, Any] = {"monitor": not args.no_monitor}
    if args.value_check_every is not None:
        options["value_check_every"] = args.value_check_every
    if args.accelerator_check_every is not None:
        options["accelerator_check_every"] = args.accelerator_check_every
    if (args.plot or args.html) and args.no_monitor:
        print("lossdoctor run: --plot and --html draw the monitor's loss curves; drop --no-monitor", file=sys.stderr)
        return 2
    from ..monitor import DistributedRun

    dist = DistributedRun.start(args.output)  # None unless under torchrun; no collectives of ours
    report = install(args.mode, **{**DEFAULTS, **options})
    exit_code, crash = _run_target(args)
    uninstall(report)
    explanation = _explain(crash) if crash is not None else None
    _write_pictures(args, report, dist)
    if dist is not None:
        merged_text = dist.finish(report_dict(report, exit_code, crash, explanation), format=args.format)
        if merged_text is not None:
            (sys.stdout if args.format == "json" else sys.stderr).write(merged_text)
        elif dist.rank != 0:
            print(f"lossdoctor: rank {dist.rank} found {len(report.to_dicts())} findings; rank 0 prints the merged report",
                  file=sys.stderr)
        return exit_code
    _write_report(args, report, exit_code, crash, explanation)
    return exit_code


def _write_pictures(args: argparse.Namespace, report: Any, dist: Any = None) -> None:
    """The loss curves per call site with the diagnoses marked (never fails the run)."""
    monitor = report.monitor
    for option, method in (("plot", "plot"), ("html", "html")):
        path = getattr(args, option)
        if not path:
            continue
        if dist is not None and dist.rank != 0:  # each rank draws its own curves, beside rank 0's
            from ..monitor import rank_report_path

            path = str(rank_report_path(path, dist.rank))
        if monitor is None:
            print(f"lossdoctor run: no loss values were watched, so --{option} has nothing to draw", file=sys.stderr)
            continue
        try:
            if method == "html":  # the page lists the runtime findings too
                monitor.html(path, findings=report.findings)
            else:
                monitor.plot(path)
        except ImportError as exc:
            print(f"lossdoctor run: --{option} needs {exc.name or 'matplotlib'}: pip install matplotlib", file=sys.stderr)
        except Exception as exc:  # a picture must never hide the report
            print(f"lossdoctor run: could not write {path}: {exc}", file=sys.stderr)


def _unwritable(path: str | None) -> str | None:
    """Why a report could not be written to ``path`` (None when it can)."""
    if not path:
        return None
    if os.path.isdir(path):
        return "is a directory"
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        return f"folder {parent!r} does not exist"
    if not os.access(parent, os.W_OK):
        return f"folder {parent!r} is not writable"
    return None


def _importable_from_cwd(module: str) -> bool:
    sys.path.insert(0, os.getcwd())
    try:
        import importlib.util

        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False
    finally:
        sys.path.pop(0)


def _run_target(args: argparse.Namespace) -> tuple[int, BaseException | None]:
    """Run the script or module like the interpreter would; return (exit code, uncaught exception)."""
    import runpy

    saved_argv, saved_path0 = sys.argv[:], sys.path[0] if sys.path else None
    try:
        if args.module:
            sys.argv = [args.module, *args.target]
            sys.path.insert(0, os.getcwd())
            runpy.run_module(args.module, run_name="__main__", alter_sys=True)
        else:
            script = args.script
            sys.argv = [script, *args.target]
            sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
            runpy.run_path(script, run_name="__main__")
        return 0, None
    except SystemExit as exc:
        return _exit_code(exc.code), None
    except KeyboardInterrupt as exc:
        traceback.print_exc()
        return 130, exc
    except BaseException as exc:  # the script crashed: print it as Python would, then report
        _print_user_traceback(exc)
        return 1, exc
    finally:
        sys.argv = saved_argv
        if sys.path and saved_path0 is not None and sys.path[0] != saved_path0:
            sys.path.pop(0)
        sys.stdout.flush()


def _exit_code(code: Any) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def _print_user_traceback(exc: BaseException) -> None:
    """The traceback as Python prints it, minus lossdoctor's and runpy's own frames at the top."""
    tb = exc.__traceback__
    own = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    while tb is not None and (tb.tb_frame.f_code.co_filename.startswith(own) or "runpy" in tb.tb_frame.f_code.co_filename):
        tb = tb.tb_next
    # With no frame of the script's own (it did not compile), Python prints the error alone.
    traceback.print_exception(type(exc), exc, tb)


def _explain(exc: BaseException) -> Any:
    """The explain surface's account of a crash the runtime checks did not pre-empt (if available)."""
    from .._errors import LossDoctorError

    if isinstance(exc, LossDoctorError):
        return None  # already a diagnosis
    try:
        from ..explain import explain_exception
    except ImportError:
        return None
    try:
        return explain_exception(exc)
    except Exception:
        return None


def _rank() -> str | None:
    return os.environ.get("RANK") if "RANK" in os.environ and "WORLD_SIZE" in os.environ else None


def report_dict(report: Any, exit_code: int, crash: BaseException | None, explanation: Any) -> dict:
    out: dict[str, Any] = {"findings": report.to_dicts(), "exit_code": exit_code}
    rank = _rank()
    if rank is not None:
        for f in out["findings"]:
            f["rank"] = int(rank)
    if crash is not None:
        out["crash"] = {"type": type(crash).__name__, "message": str(crash).splitlines()[0] if str(crash) else ""}
        code = getattr(getattr(crash, "finding", None), "code", None)
        if code:
            out["crash"]["code"] = code
    if explanation is not None and hasattr(explanation, "to_dict"):
        out["explanation"] = explanation.to_dict()
    out["calls"] = report.calls
    if report.internal_errors:
        out["internal_errors"] = list(report.internal_errors)
    return out


def render_text(report: Any, exit_code: int, crash: BaseException | None, explanation: Any) -> str:
    records = list(report.to_dicts())
    lines = []
    head = f"lossdoctor: {len(records)} finding{'s' if len(records) != 1 else ''} in {report.calls} checked loss call{'s' if report.calls != 1 else ''}"
    rank = _rank()
    if rank is not None:
        head += f" (rank {rank})"
    lines.append(head)
    order = {"error": 0, "warning": 1, "info": 2}
    for d in sorted(records, key=lambda d: (order.get(d["severity"], 3), d["path"] or "", d["line"] or 0)):
        where = f"{_rel(d['path'])}:{d['line']}" if d["path"] else "<unknown>"
        if d.get("via"):
            where += f" (via {d['via']})"
        times = f" (x{d['count']})" if d.get("count", 1) > 1 else ""
        lines.append("")
        lines.append(f"{where}: {d['code']} {d['name']} [{d['severity']}]{times}")
        lines.append(f"  {d['message']}")
        if d.get("evidence"):
            lines.append(f"  evidence: {d['evidence']}")
        lines.append(f"  fix: {d['fix']}")
    if explanation is not None and hasattr(explanation, "render_text"):
        lines.append("")
        lines.append("The script crashed with a loss error:")
        lines.append(explanation.render_text().rstrip())
    for err in report.internal_errors:
        lines.append("")
        lines.append(err)
    if records:
        lines.append("")
        lines.append("`lossdoctor rule CODE` explains any code in full.")
    return "\n".join(lines) + "\n"


def _rel(path: str) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return rel if not rel.startswith("..") else path


def _write_report(args, report, exit_code, crash, explanation) -> None:
    if args.format == "json":
        text = json.dumps(report_dict(report, exit_code, crash, explanation), indent=2) + "\n"
    else:
        text = render_text(report, exit_code, crash, explanation)
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as fh:
                fh.write(text)
            return
        except OSError as exc:
            print(f"lossdoctor run: could not write {args.output!r} ({exc.strerror or exc}); the report follows",
                  file=sys.stderr)
            sys.stderr.write("\n" + text)
            return
    if args.format == "json":
        sys.stdout.write(text)
    else:
        sys.stderr.write("\n" + text)
    sys.stdout.flush()
