"""Time readiness on any tree: cold, warm and one-file-changed scans, against baselines.

    python benchmarks/bench.py PATH [--jobs 2] [--bandit] [--parse-only] [--repeat 1]

Each scan runs the real CLI in a subprocess (`--format json`, a fresh cache folder for the cold
run, the same folder for the warm ones). Printed per phase: wall seconds, files/s and Python
lines/s over the files readiness discovers, peak RSS of the largest process, and the ratio to
the cold scan. Baselines, on the same tree in the same run:

- `--parse-only`: libcst `parse_module` of the same Python files over `--jobs` processes;
- `--bandit`: `bandit -r PATH` (bandit must be installed), one process.

The one-file-changed phase appends a comment to one Python file and rescans with the warm cache
(and, when the CLI has `--diff-base` and PATH is a git work tree, also a `--diff-base HEAD`
scan); the file is restored afterwards. The tool's bytecode is compiled first, as in an installed
package (see `compile_tool`). Timings on a noisy machine vary: use `--repeat` and read the minimum.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

_WRAPPER = (
    "import resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE).returncode\n"
    "wall = time.perf_counter() - t\n"
    "usage = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(rc, wall, usage.ru_maxrss, usage.ru_utime + usage.ru_stime)\n"
)


def measure(argv: list[str], cwd: str | None = None) -> tuple[int, float, float, float]:
    """(exit code, wall s, peak RSS MiB of the largest process, CPU s of all processes) of one command."""
    out = subprocess.run([sys.executable, "-c", _WRAPPER, *argv], capture_output=True, text=True, cwd=cwd, check=True)
    rc, wall, rss, cpu = out.stdout.split()
    per_mib = 1024 * 1024 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB elsewhere
    return int(rc), float(wall), int(rss) / per_mib, float(cpu)


def _parse(path: str) -> int:
    import libcst

    try:
        with open(path, "rb") as fh:
            libcst.parse_module(fh.read())
        return 1
    except Exception:  # noqa: BLE001 - a baseline: failures count as done
        return 0


def parse_only(paths: list[str], jobs: int) -> tuple[float, float, float]:
    """(wall s, NaN for RSS, CPU s) of parsing `paths` with libcst over `jobs` processes."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with ProcessPoolExecutor(jobs) as pool:
        list(pool.map(_parse, paths, chunksize=4))
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall, float("nan"), cpu


def inventory(root: Path) -> tuple[list[str], int, int]:
    """Python files (absolute), number of files scanned, Python lines."""
    from readiness.config import load_config
    from readiness.discover import discover

    sources, _ = discover(root, load_config(root))
    python = [s.abs_path for s in sources if s.kind == "python"]
    lines = 0
    for source in sources:
        if source.kind in ("python", "notebook"):
            with open(source.abs_path, "rb") as fh:
                lines += fh.read().count(b"\n")
    return python, len(sources), lines


def compile_tool() -> None:
    """Time the tool as an installed package runs: with its bytecode compiled. A wheel install
    compiles it; an editable install writes it on first use, unless PYTHONDONTWRITEBYTECODE is
    set (then every run would re-compile ~100 modules, ~0.1 s, and the short phases would
    measure that). Baselines run in the same environment."""
    import compileall

    import readiness
    import readiness.rules

    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    for package in (readiness, readiness.rules):
        compileall.compile_dir(os.path.dirname(package.__file__), quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--bandit", action="store_true", help="also time bandit on the same tree")
    parser.add_argument("--parse-only", action="store_true", help="also time libcst parse-only over --jobs processes")
    parser.add_argument("--repeat", type=int, default=1, help="runs per phase; the minimum is reported")
    parser.add_argument("--json", type=Path, help="also write the table as JSON to this file")
    args = parser.parse_args()
    root = args.path.resolve()
    compile_tool()
    python, files, lines = inventory(root)
    print(f"{root}: {files} files scanned, {len(python)} Python files, {lines} Python/notebook lines, jobs={args.jobs}")

    rows: list[tuple[str, float, float, float]] = []

    def best(argv: list[str], before=None) -> tuple[float, float, float]:
        runs = []
        for _ in range(args.repeat):
            if before is not None:
                before()
            try:
                rc, wall, rss, cpu = measure(argv)
            except (subprocess.CalledProcessError, ValueError):
                rc, wall, rss, cpu = -1, 0.0, 0.0, 0.0  # the program is missing or crashed
            if rc not in (0, 1):
                print(f"note: {' '.join(argv)} exited {rc}; its row is not a measurement", file=sys.stderr)
                return float("nan"), float("nan"), float("nan")
            runs.append((wall, rss, cpu))
        return min(runs)

    scan = [sys.executable, "-m", "readiness", "scan", str(root), "--format", "json", "--exit-zero", "--jobs", str(args.jobs)]
    cache = Path(tempfile.mkdtemp(prefix="readiness-bench-"))
    try:
        cold = best([*scan, "--cache-dir", str(cache)], before=lambda: (shutil.rmtree(cache, ignore_errors=True), cache.mkdir()))
        rows.append(("cold scan", *cold))
        rows.append(("warm rescan, nothing changed", *best([*scan, "--cache-dir", str(cache)])))
        target = max(python, key=os.path.getsize) if python else None
        if target is not None:
            original = Path(target).read_bytes()
            counter = iter(range(10**6))

            def touch() -> None:
                Path(target).write_bytes(original + f"\n# benchmark edit {next(counter)}\n".encode())

            try:
                rows.append((f"one file changed, warm cache ({Path(target).name})", *best([*scan, "--cache-dir", str(cache)], before=touch)))
                helptext = subprocess.run([sys.executable, "-m", "readiness", "scan", "--help"], capture_output=True, text=True).stdout
                if "--diff-base" in helptext and (root / ".git").exists():
                    rows.append(("one file changed, --diff-base HEAD", *best([*scan, "--cache-dir", str(cache), "--diff-base", "HEAD"], before=touch)))
            finally:
                Path(target).write_bytes(original)
        rows.append(("cold scan, --no-cache", *best([*scan, "--no-cache"])))
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    if args.parse_only:
        rows.append((f"libcst parse only, {args.jobs} processes", *min(parse_only(python, args.jobs) for _ in range(args.repeat))))
    if args.bandit:
        bandit = shutil.which("bandit") or str(Path(sys.executable).with_name("bandit"))
        rows.append(("bandit -r, 1 process", *best([bandit, "-r", str(root), "-q", "-f", "json", "-o", os.devnull])))

    cold_wall, cold_cpu = rows[0][1], rows[0][3]
    print("\n| phase | wall s | CPU s | files/s | lines/s | peak RSS MiB | wall x cold |")
    print("|---|---|---|---|---|---|---|")
    for name, wall, rss, cpu in rows:
        rss_text = "-" if rss != rss else f"{rss:.0f}"
        print(f"| {name} | {wall:.2f} | {cpu:.1f} | {files / wall:,.0f} | {lines / wall:,.0f} | {rss_text} | {wall / cold_wall:.3f} |")
    by = {name: (wall, cpu) for name, wall, _, cpu in rows}
    parse = next((v for n, v in by.items() if n.startswith("libcst parse only")), None)
    bandit = by.get("bandit -r, 1 process")
    print("\nratios (wall; CPU in brackets, steadier on a busy machine):")
    if parse:
        print(f"cold / libcst parse-only: {cold_wall / parse[0]:.2f} [{cold_cpu / parse[1]:.2f}] (target <= 1.6)")
    if bandit:
        print(f"cold / bandit: {cold_wall / bandit[0]:.2f} [{cold_cpu / bandit[1]:.2f}] (target <= 0.67)")
    warm = by["warm rescan, nothing changed"]
    print(f"warm / cold: {warm[0] / cold_wall:.3f} [{warm[1] / cold_cpu:.3f}] (target <= 0.05)")
    for name, (wall, cpu) in by.items():
        if name.startswith("one file changed"):
            print(f"{name} / cold: {wall / cold_wall:.3f} [{cpu / cold_cpu:.3f}] (target <= 0.05)")
    if args.json:
        args.json.write_text(json.dumps({"path": str(root), "files": files, "lines": lines, "jobs": args.jobs, "rows": [
            {"phase": n, "wall_s": w, "cpu_s": c, "peak_rss_mib": r if r == r else None} for n, w, r, c in rows]}, indent=2))


if __name__ == "__main__":
    main()
