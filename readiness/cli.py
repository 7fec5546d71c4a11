"""The command line: the only place that prints or exits. It wires the stages, nothing more."""
from __future__ import annotations

import logging
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import click

from readiness import __version__
from readiness.config import RISKS, Config, load_config
from readiness.engine import scan as run_scan
from readiness.errors import ReadinessError
from readiness.model import Severity
from readiness.registry import all_rules, find_rule
from readiness.report import RENDERERS, encoded
from readiness.report.templating import shown_score
from readiness.rule import Rule
from readiness.compare import BASELINE_FILE, baseline_json, load_baseline, with_baseline
from readiness.diff import diff_scan
from readiness.gate import Gate, evaluate

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
SEVERITIES = [s.value for s in Severity]


def _codes(value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    return tuple(c.strip().upper() for c in value.split(",") if c.strip())


@contextmanager
def _error_boundary(ctx: click.Context) -> Iterator[None]:
    """Turn an error into a one-line message and exit 2; `--debug` re-raises with the traceback."""
    try:
        yield
    except ReadinessError as exc:
        if ctx.obj["debug"]:
            raise
        _fail(str(exc))
    except Exception as exc:  # noqa: BLE001 - the top-level error boundary
        if ctx.obj["debug"]:
            raise
        _fail(f"internal error: {type(exc).__name__}: {exc} (rerun with --debug for the traceback)")


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
@click.option("--risk", type=click.Choice(RISKS), help="Risk profile the score is judged at [default: config `risk`, else medium].")
@click.option("--history-depth", type=click.IntRange(min=0), help="Commits to read for secrets left in git history (0: off) [default: 1000].")
@click.option("--baseline", "baseline_file", type=click.Path(dir_okay=False, path_type=Path), help="Findings recorded in this baseline file are existing; only the others gate.")
@click.option("--diff-base", metavar="REF", help="Scan only what changed since REF's merge base with HEAD; only new findings gate.")
@click.option("--no-regress", is_flag=True, help="With --diff-base: exit 1 when any checklist area scores lower than at the base.")
@click.option("--min-score", type=click.FloatRange(0, 100), help="Exit 1 when the overall score is below this (0-100).")
@click.option("--diff-scope", type=click.Choice(["change", "repo"]), default=None, help="With --diff-base: analyse the change and its neighbours (fast, no score) or the whole repo (scores at base and head) [default: change; repo with --min-score or --no-regress].")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=0, help="Processes for the per-file stage [default: 0 = one per CPU].")
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path), help="Where per-file results are cached [default: the user cache folder].")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache.")
@click.option("--progress/--no-progress", default=None, help="Progress bar on stderr for long scans (default: when stderr is a terminal).")
@click.option("--file-timeout", type=click.FloatRange(min=0, min_open=True), default=60.0, show_default=True, help="Seconds one file may take before it is skipped with a diagnostic.")
@click.pass_context
def scan(
    ctx: click.Context, path: Path, fmt: str, output: Path | None, select: str | None, ignore: str | None,
    fail_on: str | None, config_file: Path | None, inventory: bool, exit_zero: bool, color: bool | None,
    risk: str | None = None, history_depth: int | None = None,
    baseline_file: Path | None = None, diff_base: str | None = None, no_regress: bool = False, min_score: float | None = None,
    diff_scope: str | None = None,
    jobs: int = 0, cache_dir: Path | None = None, no_cache: bool = False, progress: bool | None = None, file_timeout: float = 60.0,
) -> None:
    """Scan the repository at PATH (default: the current folder)."""
    if not path.exists():
        _fail(f"path not found: {path}")
    with _error_boundary(ctx):
        config = load_config(path, config_file).with_overrides(
            select=_codes(select), ignore=_codes(ignore), fail_on=Severity.parse(fail_on) if fail_on else None,
            risk=risk, history_depth=history_depth,
        )
        minimum = min_score if min_score is not None else config.min_score
        if diff_base:
            scope = diff_scope or ("repo" if no_regress or minimum is not None else "change")
            scale = _scale_options(path, config, jobs, cache_dir, no_cache, progress)
            result = diff_scan(path, config, diff_base, scope, **scale, file_timeout=file_timeout)
        else:
            result = run_scan(path, config, **_scale_options(path, config, jobs, cache_dir, no_cache, progress), file_timeout=file_timeout)
        if baseline_file is None and config.baseline:
            baseline_file = path / config.baseline
        if baseline_file is not None:
            result = with_baseline(result, load_baseline(baseline_file), str(baseline_file))
        gate = Gate(config.fail_on, minimum, no_regress)
        reasons = evaluate(result, gate)
        colour = color if color is not None else (output is None and sys.stdout.isatty())
        rendered = RENDERERS[fmt](result, colour=colour, inventory=inventory, uri_prefix=_uri_prefix(path))
    _emit(rendered, output)
    for reason in reasons:
        click.echo(f"readiness: failed: {reason}", err=True)
    sys.exit(EXIT_FINDINGS if reasons and not exit_zero else EXIT_CLEAN)


def _emit(rendered: str, output: Path | None) -> None:
    """Write rendered output to `output` or stdout, as bytes (see `report.encoded`)."""
    data = encoded(rendered)
    if output is None:
        click.echo(data, nl=False)
    else:
        _write(output, data)


def _write(target: Path, data: bytes, append: bool = False) -> None:
    """Write a file the user asked for; failing to is a one-line error."""
    try:
        with open(target, "ab" if append else "wb") as fh:
            fh.write(data)
    except OSError as exc:
        _fail(f"cannot write {target}: {exc.strerror or exc}")


def _uri_prefix(path: Path) -> str:
    """PATH relative to the working folder, so SARIF locations resolve from the repository root."""
    try:
        rel = path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return ""
    return "" if rel == "." else rel + "/"


@main.command()
@click.argument("path", default=".", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help=f"Where to write it [default: PATH/{BASELINE_FILE}].")
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path), help="Config file (pyproject.toml or readiness.toml).")
@click.pass_context
def baseline(ctx: click.Context, path: Path, output: Path | None, config_file: Path | None) -> None:
    """Record today's findings as accepted, so `scan --baseline` gates only on new ones."""
    with _error_boundary(ctx):
        config = load_config(path, config_file)
        result = run_scan(path, config, **_isolated(path, config))
    target = output or path / BASELINE_FILE
    _emit(baseline_json(result), target)
    count = len(result.findings)
    click.echo(f"wrote {count} {'finding' if count == 1 else 'findings'} to {target}")


@main.command("github-comment")
@click.argument("body_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def github_comment(body_file: Path) -> None:
    """Create or update this pull request's readiness comment (GitHub Actions).

    Reads GITHUB_EVENT_PATH, GITHUB_REPOSITORY, GITHUB_API_URL and GITHUB_TOKEN. Without a token,
    or with a read-only one (pull requests from forks), it says so and exits 0.
    """
    from readiness.github import GitHubError, comment_from_env
    from readiness.report.pr_markdown import MARKER

    try:
        click.echo(f"readiness: {comment_from_env(body_file.read_text(encoding='utf-8', errors='replace'), MARKER)}")
    except GitHubError as exc:
        if exc.status in (401, 403, 404):
            click.echo(f"::warning title=readiness::cannot comment on the pull request ({exc}); a token with `pull-requests: write` is needed, and pull requests from forks get a read-only one", err=True)
            return
        _fail(f"GitHub comment failed: {exc}")


@main.command("action", hidden=True)
@click.option("--path", "path", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--config", "config_file", default="", help="Config file; empty: found in PATH.")
@click.option("--fail-on", default="", help="Severity that fails the run; empty: from config; `never`: findings never fail it.")
@click.option("--min-score", default="", help="Minimum overall score; empty: from config.")
@click.option("--no-regress", is_flag=True)
@click.option("--risk", default="", help="Risk profile: low, medium or high; empty: from config.")
@click.option("--report", is_flag=True, help="Also write the HTML report.")
@click.option("--comment", is_flag=True, help="A PR comment will show the scores: analyse the whole repo at base and head.")
@click.pass_context
def action(ctx: click.Context, path: Path, config_file: str, fail_on: str, min_score: str, no_regress: bool, risk: str, report: bool, comment: bool) -> None:
    """The scan step of the GitHub Action: writes SARIF, the summary, the comment body and step outputs."""
    import os

    from readiness.action import run as run_action, with_risk
    from readiness.github import write_outputs

    env = os.environ
    if not path.exists():
        _fail(f"path not found: {path}")
    try:
        config = with_risk(load_config(path, Path(config_file) if config_file else None), risk)
        severity = None if fail_on.lower() == "never" else (Severity.parse(fail_on) if fail_on else config.fail_on)
        try:
            minimum = float(min_score) if min_score else config.min_score
        except ValueError:
            raise ReadinessError(f"min-score {min_score!r} is not a number") from None
        temp = Path(env.get("RUNNER_TEMP") or ".")
    except (ReadinessError, ValueError) as exc:
        if ctx.obj["debug"]:
            raise
        _fail(str(exc))
        return
    with _error_boundary(ctx):  # as `scan`: worker processes, the cache, a time limit per file
        outcome = run_action(path, config, Gate(severity, minimum, no_regress), env, temp, report, scores=comment, scale=_isolated(path, config))
    # GitHub reads these files and needs UTF-8: a name that is not UTF-8 shows as \xNN escapes
    for name, content in outcome.files.items():
        _write(Path(name), encoded(content, raw_names=False))
    if env.get("GITHUB_STEP_SUMMARY"):
        _write(Path(env["GITHUB_STEP_SUMMARY"]), encoded(outcome.summary, raw_names=False), append=True)
    if env.get("GITHUB_OUTPUT"):
        write_outputs(env["GITHUB_OUTPUT"], outcome.outputs)
    for note in outcome.notes:
        click.echo(f"::warning title=readiness::{note}")
    out = outcome.outputs
    click.echo(f"readiness: {out['findings']} findings, {out['new-findings']} new" + (f", score {out['score']}" if out["score"] else ""))
    for reason in outcome.reasons:
        click.echo(f"readiness: gate: {reason}")


def _scale_options(path: Path, config: Config, jobs: int, cache_dir: Path | None, no_cache: bool, progress: bool | None) -> dict[str, Any]:
    """`scan()` keyword arguments for parallelism, the cache and the progress bar."""
    from readiness.cache import ResultCache, default_cache_dir
    from readiness.filestage import default_jobs
    from readiness.progress import ProgressBar

    cache = None if no_cache else ResultCache.open(cache_dir or default_cache_dir(), config, scope=str(path.resolve()))
    bar = ProgressBar.for_terminal() if progress is None else (ProgressBar(sys.stderr) if progress else None)
    return {"jobs": jobs or default_jobs(), "cache": cache, "progress": bar}


def _isolated(path: Path, config: Config, cache: bool = True) -> dict[str, Any]:
    """What commands other than `scan` analyse files with: `scan`'s defaults (worker processes, so
    a file that crashes the parser costs a diagnostic; the cache; the per-file time limit)."""
    from readiness.filestage import DEFAULT_FILE_TIMEOUT

    options = _scale_options(path, config, 0, None, not cache, False)
    if not cache:
        options.pop("cache")
    return {**options, "file_timeout": DEFAULT_FILE_TIMEOUT}


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
        example = rule.INVALID[0]
        shown = example.history[0] if example.history else example.files  # history rules: the bad commit
        heading = "## Example (in an earlier commit)" if example.history else "## Example"
        parts += ["", heading, "", _example(shown)]
    if rule.VALID:
        parts += ["", "## Use instead", "", _example(rule.VALID[0].files)]
    parts += ["", "## Remediation", docs.get("Remediation", "")]
    return "\n".join(parts).rstrip() + "\n"


def _example(files: dict[str, str]) -> str:
    """One file's code; a repo example shows each file under its path."""
    if len(files) == 1:
        return _indent(next(iter(files.values())))
    return "\n\n".join(_indent(f"# {path}\n{code}" if code.strip() else f"# {path} (empty)") for path, code in sorted(files.items()))


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


@main.command()
@click.argument("path", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--html", "html_file", type=click.Path(dir_okay=False, path_type=Path), help="Write the founder report (one self-contained HTML page) to FILE.")
@click.option("--markdown", "markdown_file", type=click.Path(dir_okay=False, path_type=Path), help="Write the Markdown summary to FILE.")
@click.option("--risk", type=click.Choice(RISKS), help="Risk profile the score is judged at [default: config `risk`, else medium].")
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path), help="Config file (pyproject.toml or readiness.toml).")
@click.pass_context
def report(ctx: click.Context, path: Path, html_file: Path | None, markdown_file: Path | None, risk: str | None, config_file: Path | None) -> None:
    """Score PATH against the launch checklist and write the founder report.

    With neither --html nor --markdown, the Markdown summary goes to stdout.
    """
    if not path.exists():
        _fail(f"path not found: {path}")
    with _error_boundary(ctx):
        config = load_config(path, config_file).with_overrides(risk=risk)
        result = run_scan(path, config, **_isolated(path, config))
    if result.score is None:
        _fail("the scan finished but no score could be computed (see the diagnostics of `readiness scan`)")
    outputs = [(fmt, target) for fmt, target in (("html", html_file), ("markdown", markdown_file)) if target is not None]
    for fmt, target in outputs:
        with _error_boundary(ctx):
            rendered = RENDERERS[fmt](result)
        _emit(rendered, target)
        card = result.score
        scored = f"score {shown_score(card.score)}/100" if card.score is not None else "not scored"
        click.echo(f"{fmt} report written to {target}: {card.grade}, {scored}, {card.verdict.decision}", err=True)
    if not outputs:
        with _error_boundary(ctx):
            rendered = RENDERERS["markdown"](result)
        _emit(rendered, None)
    sys.exit(EXIT_CLEAN)


@main.command()
@click.argument("path", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["dot", "json"]), default="dot", show_default=True, help="Output format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write the graph to FILE instead of stdout.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path), help="Config file (pyproject.toml or readiness.toml).")
@click.pass_context
def graph(ctx: click.Context, path: Path, fmt: str, output: Path | None, config_file: Path | None) -> None:
    """Export the import graph of the repository at PATH (modules, roles, imports, cycles)."""
    from readiness.engine import load_project
    from readiness.report.graph import GRAPH_RENDERERS

    if not path.exists():
        _fail(f"path not found: {path}")
    with _error_boundary(ctx):
        config = load_config(path, config_file)
        project, _diagnostics = load_project(path, config, **_isolated(path, config, cache=False))
        rendered = GRAPH_RENDERERS[fmt](project.graph.to_json())
    _emit(rendered, output)


if __name__ == "__main__":  # pragma: no cover
    main()
