"""The `kepatuhan` command line: validate, score, ingest, demo-data, build."""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from .errors import KepatuhanError, UsageError
from .i18n import LANGUAGES


def _validate(args) -> int:
    from .commands import validate_command

    return validate_command(args.files)


def _score(args) -> int:
    from .commands import score_command

    return score_command(args.files, args.out)


def _ingest(args) -> int:
    from .commands import ingest_command

    return ingest_command()


def _demo_data(args) -> int:
    from .commands import demo_data_command

    return demo_data_command(if_missing=args.if_missing, seed=args.seed)


def _build(args) -> int:
    from .reports.build import build_command

    return build_command(
        editions=args.edition, years=args.year, provinces=args.province, reports=args.report, jobs=args.jobs, force=args.force,
        langs=args.lang, pdf=args.pdf,
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kepatuhan",
        description="Ombudsman RI compliance assessment: check exports, score them, build reports.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("validate", help="check export files and report every problem; writes nothing")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p.set_defaults(handler=_validate)

    p = sub.add_parser("score", help="score export files into one row per entity")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p.add_argument("--out", required=True, type=Path, metavar="OUT.csv")
    p.set_defaults(handler=_score)

    p = sub.add_parser("ingest", help="read the published results and the exports into data/processed/<edition>/")
    p.set_defaults(handler=_ingest)

    p = sub.add_parser("demo-data", help="generate the synthetic national example exports")
    p.add_argument("--if-missing", action="store_true", help="do nothing when they already exist")
    p.add_argument("--seed", type=int, default=2024)
    p.set_defaults(handler=_demo_data)

    p = sub.add_parser("build", help="build the HTML reports into reports/<edition>/")
    p.add_argument("--edition", action="append",
                   help="terbitan (published facts only), contoh (demo), ekspor (own exports); repeatable; "
                        "default: every edition ingested")
    p.add_argument("--year", type=int, action="append", help="repeatable; default: every year")
    p.add_argument("--province", action="append", help="province name or code; repeatable")
    p.add_argument("--report", action="append", help="report kind; repeatable; default: all")
    p.add_argument("--jobs", type=int, default=None, help="worker processes (default: cores)")
    p.add_argument("--force", action="store_true", help="rebuild even when nothing changed")
    p.add_argument("--lang", action="append", choices=tuple(LANGUAGES),
                   help="language of the reports: id (Indonesian, default) or en (English, pages *.en.html); "
                        "repeatable: --lang id --lang en builds both")
    p.add_argument("--pdf", action="store_true",
                   help="also print each report to an A4 PDF beside its HTML (needs kepatuhan[pdf] and Chromium)")
    p.set_defaults(handler=_build)
    return parser


_interrupts = []  # the SIGINTs `on_interrupt` received


def on_interrupt(signum, frame) -> None:
    """SIGINT as a KeyboardInterrupt, remembered: a library that turns it into another exception (an
    ImportError of a module half imported) still ends the command as interrupted."""
    _interrupts.append(signum)
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse: --help (0) or a usage error (2)
        return int(exit_.code or 0)
    try:
        return args.handler(args)
    except UsageError as err:
        print(f"kepatuhan {args.command}: {err}", file=sys.stderr)
        return 2
    except KepatuhanError as err:
        print(f"kepatuhan {args.command}: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return _interrupted(args.command)
    except Exception as err:  # last resort: a user never sees a traceback
        if _interrupts:
            return _interrupted(args.command)
        print(f"kepatuhan {args.command}: internal error: {type(err).__name__}: {err}", file=sys.stderr)
        return 3


def _interrupted(command: str) -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # one line, however often Ctrl-C is pressed
    print(f"kepatuhan {command}: interrupted", file=sys.stderr)
    return 130


if __name__ == "__main__":
    sys.exit(main())
