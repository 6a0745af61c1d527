"""The `kepatuhan` command line: validate, score, ingest, demo-data, build."""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from .errors import KepatuhanError, UsageError
from .i18n import LANGUAGES


def _validate(args) -> int:
    from .ingest import validate_command

    return validate_command(args.files)


def _score(args) -> int:
    from .scoring import score_command

    return score_command(args.files, args.out)


def _ingest(args) -> int:
    from .pipeline import ingest_command

    return ingest_command()


def _demo_data(args) -> int:
    from .synthetic import demo_data_command

    return demo_data_command(if_missing=args.if_missing, seed=args.seed)


def _build(args) -> int:
    """`kepatuhan build`: exit 0 when every selected report built, 1 when any failed.

    One build at a time in reports/ (reports/.lock; another is a LockedError naming it). Each
    edition's processed tables are read from one generation, held and pinned for the whole build
    (storage.pinned), whatever an ingest does meanwhile.
    """
    from . import config, i18n, locks, storage
    from .reports import build

    editions, jobs = args.edition, args.jobs
    if jobs is not None and jobs < 1:
        raise UsageError("--jobs must be at least 1")
    if jobs is not None and jobs > (cores := build.available_cores()):
        print(f"kepatuhan build: --jobs {jobs} is more than the {cores} cores here; using {cores}", file=sys.stderr)
        jobs = cores
    unknown = sorted(set(editions or ()) - set(config.EDITIONS))
    if unknown:
        raise UsageError(f"unknown edition {', '.join(unknown)}; editions: {', '.join(config.EDITIONS)}")
    if args.pdf:
        from .reports.pdf import require

        require()
    with (storage.writing_in(config.REPORTS_DIR),
          locks.exclusive(config.REPORTS_DIR / config.LOCK_NAME, "build")):
        have = build.available_editions()
        missing = sorted(set(editions or ()) - set(have))
        if missing:
            raise UsageError(f"no processed data for edition {', '.join(missing)}; run `kepatuhan ingest`"
                             + ("" if "ekspor" not in missing else " (ekspor needs files in data/raw/exports/)"))
        if not have:
            raise UsageError("no processed data yet; run `kepatuhan ingest`")
        with storage.pinned(editions or have):
            return _build_editions(args, editions or have, have, jobs, langs=args.lang or [i18n.DEFAULT])


def _build_editions(args, editions, have, jobs, langs) -> int:
    """Build each edition's selection into reports/<edition>/, saying what became of it; then the editions page."""
    import shutil

    from . import config
    from .reports import build
    from .reports.index import write_editions_index

    narrowed = args.year or args.province or args.report
    selections = {edition: build.select_jobs(edition, args.year, args.province, args.report, langs=langs)
                  for edition in editions}
    failed = 0
    for edition, selection in selections.items():
        reports_dir = config.REPORTS_DIR / edition
        print(f"kepatuhan build [{edition}]: {len(selection)} reports", file=sys.stderr)
        result = build.build(selection, n_jobs=jobs, force=args.force, prune=not narrowed, reports_dir=reports_dir,
                             pdf=args.pdf)
        print(
            f"kepatuhan build [{edition}]: {len(set(result.built) - set(result.failed))} built, "
            f"{len(result.skipped)} unchanged, {len(result.failed)} failed in {result.seconds:.1f} s; "
            f"see {config.display_path(reports_dir / 'index.html')}",
            file=sys.stderr,
        )
        for path, outcome in result.failed.items():
            where = f" in section '{outcome.section}'" if outcome.section else ""
            print(f"  failed: {edition}/{path}{where}: {outcome.error}", file=sys.stderr)
        failed += len(result.failed)
    if not (args.edition or narrowed):  # a full build: reports of editions no longer ingested go
        for stale in set(config.EDITIONS) - set(have):
            if (config.REPORTS_DIR / stale).is_dir():
                shutil.rmtree(config.REPORTS_DIR / stale)
    index = write_editions_index(config.REPORTS_DIR)
    print(f"kepatuhan build: editions listed in {config.display_path(index)}", file=sys.stderr)
    return 1 if failed else 0


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
    """Run one command in this process and return its exit code, SIGINT's handler as it was before (a command
    that ended interrupted ignores SIGINT until it returns)."""
    previous = signal.getsignal(signal.SIGINT)
    try:
        return run(argv)
    finally:
        if previous is not None:  # None: a handler not set from Python, which cannot be put back
            signal.signal(signal.SIGINT, previous)


def run(argv: list[str] | None = None) -> int:
    """Run one command and return its exit code; once it is interrupted, SIGINT stays ignored (the console
    script exits with the code: one line, however often Ctrl-C is pressed)."""
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
