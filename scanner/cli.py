"""The ``clinicscan`` command line: a thin layer over the library.

Exit codes: 0 finished (for ``check``: nothing flagged), 1 ``check`` flagged
something, 2 usage or input error with a one-line message on standard error.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from scanner import __version__
from scanner.errors import ModelError
from scanner.rulepack import RulePackError
from scanner.store import EXPORT_COLUMNS, Filters, Store, StoreError

EXIT_OK, EXIT_FLAGGED, EXIT_ERROR = 0, 1, 2


class InputError(click.ClickException):
    """A bad input: reported as one line, exit 2."""

    exit_code = EXIT_ERROR


def _fail(message: str) -> None:
    raise InputError(message)


def _open_store(db: str, must_exist: bool) -> Store:
    try:
        return Store(db, create=not must_exist)
    except StoreError as error:
        raise InputError(str(error)) from None


db_option = click.option(
    "--db", default="clinicscan.db", show_default=True, help="SQLite database file."
)


def filter_options(command):
    """The filters shared by ``report`` and ``export``."""
    options = [
        click.option("--site", help="Only this site (host, www. ignored)."),
        click.option(
            "--label",
            type=click.Choice(
                [
                    "unapproved_use",
                    "miracle_language",
                    "recovery_time",
                    "safety_claim",
                    "fda_status_claim",
                ]
            ),
            help="Only findings with this label.",
        ),
        click.option("--min-score", type=click.FloatRange(0, 1), help="Only scores >= this."),
        click.option(
            "--run",
            "run_id",
            type=int,
            help="Only this crawl run (default: each site's latest run).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@click.group()
@click.version_option(__version__, prog_name="clinicscan")
def cli():
    """Audit the advertising of stem-cell and regenerative-medicine clinics."""


@cli.command()
@click.argument("urls", nargs=-1)
@click.option(
    "--seeds",
    "seeds_file",
    type=click.Path(dir_okay=False),
    help="File with one seed URL a line (# comments allowed).",
)
@db_option
@click.option(
    "--max-pages",
    default=500,
    show_default=True,
    type=click.IntRange(1),
    help="Pages per site at most.",
)
@click.option(
    "--max-depth",
    default=20,
    show_default=True,
    type=click.IntRange(0),
    help="Link depth from the seed at most.",
)
@click.option(
    "--delay",
    default=1.0,
    show_default=True,
    type=click.FloatRange(0),
    help="Seconds between requests to one site.",
)
@click.option(
    "--concurrency",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Requests in flight per site.",
)
@click.option(
    "--timeout",
    default=20.0,
    show_default=True,
    type=click.FloatRange(1),
    help="Seconds before a request times out.",
)
@click.option(
    "--allow-private", is_flag=True, help="Allow loopback, private and link-local addresses."
)
@click.option(
    "--warc",
    "warc_dir",
    type=click.Path(file_okay=False),
    help="Also write WARC files of every capture into this folder.",
)
@click.option(
    "--workers",
    type=click.IntRange(0, 32),
    default=None,
    help="Processes that read and classify pages (default: one per core; 0: in-process).",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Live progress table (default: when standard error is a terminal).",
)
def crawl(
    urls,
    seeds_file,
    db,
    max_pages,
    max_depth,
    delay,
    concurrency,
    timeout,
    allow_private,
    warc_dir,
    workers,
    progress,
):
    """Crawl each seed's site, store every page and classify its text.

    Running the same command again resumes an interrupted crawl; once a crawl has
    finished, running it again starts a new crawl run (a re-crawl).
    """
    from scanner.crawl import CrawlInputError, CrawlOptions, read_seeds_file, run_crawl

    seeds = list(urls)
    try:
        if seeds_file:
            seeds += read_seeds_file(Path(seeds_file))
        if not seeds:
            _fail("no seed URLs: give URLs or --seeds FILE")
        options = CrawlOptions(max_pages, max_depth, delay, concurrency, allow_private, timeout)
        live = sys.stderr.isatty() if progress is None else progress
        result = run_crawl(
            seeds, Path(db), options, Path(warc_dir) if warc_dir else None, live, workers
        )
    except (CrawlInputError, StoreError) as error:
        raise InputError(str(error)) from None
    except KeyboardInterrupt:  # Ctrl-C before the crawl started
        click.echo("interrupted: run the same command again to resume", err=True)
        sys.exit(130)
    click.echo(
        f"run {result['run_id']} {result['status']}"
        f"{' (resumed)' if result['resumed'] else ''}: database {db}",
        err=True,
    )
    click.echo(result["summary"], err=True)
    if result["warc"]:
        click.echo(f"WARC: {result['warc']}", err=True)
    if result["status"] != "finished":
        click.echo("interrupted: run the same command again to resume", err=True)
        sys.exit(130)


@cli.command()
@click.argument("source", default="-", required=False)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format (without --jsonl).",
)
@click.option(
    "--jsonl", is_flag=True, help='Batch mode: each input line is {"id": ..., "text": ...}.'
)
def check(source, output_format, jsonl):
    """Classify text from FILE (or - for standard input). Exit 1 if anything is flagged."""
    from scanner.check import CheckInputError, check_jsonl, check_text

    text = _read_source(source)
    try:
        if jsonl:
            flagged = check_jsonl(text, sys.stdout)
        else:
            flagged = check_text(text, output_format, sys.stdout)
    except CheckInputError as error:
        raise InputError(str(error)) from None
    sys.exit(EXIT_FLAGGED if flagged else EXIT_OK)


def _read_source(source: str) -> str:
    if source == "-":
        data = sys.stdin.buffer.read()
        name = "standard input"
    else:
        path = Path(source)
        if not path.is_file():
            _fail(f"no such file: {source}")
        try:
            data = path.read_bytes()
        except OSError as error:
            _fail(f"cannot read {source}: {error.strerror}")
        name = source
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        _fail(f"{name} is not UTF-8 text")


@cli.command()
@db_option
@click.option("--out", default="report.html", show_default=True, help="HTML file to write.")
@filter_options
def report(db, out, site, label, min_score, run_id):
    """Write one self-contained HTML audit report."""
    from scanner.reports.html import write_report

    store = _open_store(db, must_exist=True)
    summary = write_report(store, Filters(site, label, min_score, run_id), Path(out))
    click.echo(f"report: {out} ({summary.get('findings', 0)} findings)", err=True)


@cli.command()
@click.option(
    "--format",
    "output_format",
    required=True,
    type=click.Choice(["csv", "json", "jsonl", "xlsx"]),
    help="Output format.",
)
@db_option
@click.option("--out", help="File to write (default: standard output; required for xlsx).")
@filter_options
def export(output_format, db, out, site, label, min_score, run_id):
    """Write the flagged-claim table: one row per finding, the spec's columns."""
    from scanner.reports import exports

    store = _open_store(db, must_exist=True)
    rows = exports.export_rows(store, Filters(site, label, min_score, run_id))
    if output_format == "xlsx":
        from scanner.reports.xlsx import write_xlsx
        from scanner.rulepack import load_rulepack

        if not out:
            _fail("--out FILE is required for xlsx")
        count = write_xlsx(rows, Path(out), load_rulepack().citations)
    else:
        writer = {
            "csv": exports.write_csv,
            "json": exports.write_json,
            "jsonl": exports.write_jsonl,
        }[output_format]
        if out:
            with open(out, "w", encoding="utf-8", newline="") as handle:
                count = writer(rows, handle)
        else:
            count = writer(rows, sys.stdout)
    click.echo(
        f"export: {count} findings ({', '.join(EXPORT_COLUMNS[:3])}, ...)"
        f"{' to ' + out if out else ''}",
        err=True,
    )


@cli.command()
@click.argument("finding_id")
@db_option
@click.option(
    "--raw",
    "raw_out",
    type=click.Path(dir_okay=False),
    help="Write the exact raw bytes of the page to this file.",
)
def evidence(finding_id, db, raw_out):
    """Print the chain of custody of one finding (and optionally its raw bytes)."""
    from scanner.evidence import EvidenceError, chain_of_custody, write_raw

    store = _open_store(db, must_exist=True)
    try:
        record = chain_of_custody(store, finding_id)
        if raw_out:
            record["raw_written_to"] = write_raw(store, record, Path(raw_out))
    except EvidenceError as error:
        raise InputError(str(error)) from None
    click.echo(json.dumps(record, indent=2, ensure_ascii=False))


@cli.command()
@click.option(
    "--corpus",
    default=None,
    type=click.Path(file_okay=False),
    help="Corpus folder (default: the shipped models/corpus).",
)
@click.option(
    "--out",
    default=None,
    type=click.Path(file_okay=False),
    help="Where to write the model (default: the shipped models/ folder).",
)
@click.option("--no-cv", is_flag=True, help="Skip the nested cross-validation.")
def train(corpus, out, no_cv):
    """Rebuild the classifier from the corpus, deterministically."""
    from scanner.metrics import format_figures
    from scanner.models import MODELS_DIR
    from scanner.train import train as train_model

    models = Path(str(MODELS_DIR))
    corpus_dir = Path(corpus) if corpus else models / "corpus"
    if not corpus_dir.is_dir():
        _fail(f"no corpus folder at {corpus_dir}")
    report = train_model(corpus_dir, Path(out) if out else models, cross_validation=not no_cv)
    click.echo(
        f"model {report['model_version']}: {report['train_records']} training records, "
        f"{report['heldout_records']} held out"
    )
    if "cross_validation" in report:
        click.echo("cross-validated (nested 5-fold), model + rules:")
        click.echo(format_figures(report["cross_validation"]["model"]))
        click.echo("keyword baseline on the same records:")
        click.echo(format_figures(report["cross_validation"]["keyword_baseline"]))


@cli.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.option(
    "--model",
    "model_dir",
    type=click.Path(file_okay=False),
    help="A model folder written by `train --out` (default: the shipped model).",
)
def evaluate(path, model_dir):
    """Per-label precision, recall and F1 of the classifier on a labelled JSONL file."""
    from scanner.classify import ClaimModel, Classifier
    from scanner.corpus import CorpusError
    from scanner.evaluate import evaluate_file
    from scanner.metrics import format_figures

    if not Path(path).is_file():
        _fail(f"no such file: {path}")
    if model_dir and not Path(model_dir).is_dir():
        _fail(f"no model folder at {model_dir}")
    classifier = Classifier(ClaimModel.load(Path(model_dir))) if model_dir else None
    try:
        figures = evaluate_file(Path(path), classifier)
    except (CorpusError, UnicodeDecodeError) as error:
        raise InputError(str(error).splitlines()[0]) from None
    if not figures["records"]:
        _fail(f"{path} has no records")
    click.echo(format_figures(figures))


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI and turn every input error into one line and exit 2."""
    try:
        cli.main(args=argv, prog_name="clinicscan", standalone_mode=False)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.Abort:
        click.echo("clinicscan: interrupted", err=True)
        sys.exit(130)
    except click.ClickException as error:
        message = " ".join(error.format_message().split())
        click.echo(f"clinicscan: error: {message}", err=True)
        sys.exit(EXIT_ERROR)
    except (ModelError, RulePackError) as error:
        click.echo(f"clinicscan: error: {' '.join(str(error).split())}", err=True)
        sys.exit(EXIT_ERROR)
    except BrokenPipeError:
        sys.exit(EXIT_OK)
    sys.exit(EXIT_OK)
