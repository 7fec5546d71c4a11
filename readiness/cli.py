"""The command line: the only place that prints or exits. It wires the stages, nothing more."""
from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

import click

from readiness import __version__
from readiness.config import Config, load_config
from readiness.engine import scan as run_scan
from readiness.errors import ReadinessError
from readiness.model import Severity
from readiness.registry import all_rules, find_rule
from readiness.report import RENDERERS
from readiness.rule import Rule

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
SEVERITIES = [s.value for s in Severity]


def _codes(value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    return tuple(c.strip().upper() for c in value.split(",") if c.strip())


def _fail(message: str) -> None:
    click.echo(f"readiness: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="readiness")
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logging.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Audit an AI prototype repository for production readiness."""
    ctx.obj = {"debug": debug}
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


@main.command()
@click.argument("path", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(sorted(RENDERERS)), default="text", show_default=True, help="Output format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write the report to FILE instead of stdout.")
@click.option("--select", help="Comma-separated rule ids or prefixes to run (default: all).")
@click.option("--ignore", help="Comma-separated rule ids or prefixes to skip.")
@click.option("--fail-on", type=click.Choice(SEVERITIES, case_sensitive=False), help="Exit 1 when a finding is at or above this severity [default: low].")
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path), help="Config file (pyproject.toml or readiness.toml).")
@click.option("--inventory", is_flag=True, help="Text format: also list every model call site.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--color/--no-color", default=None, help="Colour the text output (default: when a terminal).")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=0, help="Processes for the per-file stage [default: 0 = one per CPU].")
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path), help="Where per-file results are cached [default: the user cache folder].")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache.")
@click.option("--progress/--no-progress", default=None, help="Progress bar on stderr for long scans (default: when stderr is a terminal).")
@click.option("--file-timeout", type=click.FloatRange(min=0, min_open=True), default=60.0, show_default=True, help="Seconds one file may take before it is skipped with a diagnostic.")
@click.pass_context
def scan(
    ctx: click.Context, path: Path, fmt: str, output: Path | None, select: str | None, ignore: str | None,
    fail_on: str | None, config_file: Path | None, inventory: bool, exit_zero: bool, color: bool | None,
    jobs: int, cache_dir: Path | None, no_cache: bool, progress: bool | None, file_timeout: float,
) -> None:
    """Scan the repository at PATH (default: the current folder)."""
    if not path.exists():
        _fail(f"path not found: {path}")
    try:
        config = load_config(path, config_file).with_overrides(
            select=_codes(select), ignore=_codes(ignore), fail_on=Severity.parse(fail_on) if fail_on else None
        )
        result = run_scan(path, config, **_scale_options(path, config, jobs, cache_dir, no_cache, progress), file_timeout=file_timeout)
    except ReadinessError as exc:
        if ctx.obj["debug"]:
            raise
        _fail(str(exc))
        return
    except Exception as exc:  # noqa: BLE001 - the top-level error boundary
        if ctx.obj["debug"]:
            raise
        _fail(f"internal error: {type(exc).__name__}: {exc} (rerun with --debug for the traceback)")
        return
    colour = color if color is not None else (output is None and sys.stdout.isatty())
    rendered = RENDERERS[fmt](result, colour=colour, inventory=inventory)
    if output is not None:
        output.write_text(rendered, encoding="utf-8")
    else:
        click.echo(rendered, nl=False, color=colour)
    gated = result.at_or_above(config.fail_on)
    sys.exit(EXIT_FINDINGS if gated and not exit_zero else EXIT_CLEAN)


def _scale_options(path: Path, config: Config, jobs: int, cache_dir: Path | None, no_cache: bool, progress: bool | None) -> dict[str, Any]:
    """`scan()` keyword arguments for parallelism, the cache and the progress bar."""
    from readiness.cache import ResultCache, default_cache_dir
    from readiness.filestage import default_jobs
    from readiness.progress import ProgressBar

    cache = None if no_cache else ResultCache.open(cache_dir or default_cache_dir(), config, scope=str(path.resolve()))
    bar = ProgressBar.for_terminal() if progress is None else (ProgressBar(sys.stderr) if progress else None)
    return {"jobs": jobs or default_jobs(), "cache": cache, "progress": bar}


@main.command("rules")
def list_rules() -> None:
    """List every rule: id, name, severity, control."""
    rows = [(r.code, r.name, r.severity.value, r.control) for r in all_rules()]
    widths = [max(len(row[i]) for row in rows) for i in range(4)] if rows else [0] * 4
    for row in rows:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())


def _explain(rule: type[Rule]) -> str:
    docs = rule.docs()
    parts = [
        f"{rule.code} {rule.name}",
        "",
        docs.get("summary", ""),
        "",
        f"Severity: {rule.severity.value}   Confidence: {rule.confidence.value}   "
        f"Control: {rule.control}   Effort: ~{rule.effort} min",
    ]
    for heading in ("What it does", "Why it matters in production"):
        parts += ["", f"## {heading}", docs.get(heading, "")]
    if rule.INVALID:
        parts += ["", "## Example", "", _indent(next(iter(rule.INVALID[0].files.values())))]
    if rule.VALID:
        parts += ["", "## Use instead", "", _indent(next(iter(rule.VALID[0].files.values())))]
    parts += ["", "## Remediation", docs.get("Remediation", "")]
    return "\n".join(parts).rstrip() + "\n"


def _indent(code: str) -> str:
    return "\n".join(("    " + line) if line else "" for line in code.rstrip().splitlines())


@main.command()
@click.argument("rule_id")
def explain(rule_id: str) -> None:
    """Show the documentation of a rule (by id or name)."""
    rule = find_rule(rule_id)
    if rule is None:
        _fail(f"no rule {rule_id!r}; `readiness rules` lists them")
        return
    click.echo(_explain(rule), nl=False)


if __name__ == "__main__":  # pragma: no cover
    main()
