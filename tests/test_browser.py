"""The founder report in a real headless browser: not blank, shows the score, lays out on A4."""
from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from readiness.config import load_config
from readiness.engine import scan
from readiness.report import RENDERERS
from readiness.report.templating import shown_score

from conftest import FIXTURES

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
]


def _chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    if os.environ.get("CI") == "true":
        pytest.fail("chromium is not installed; .ci/run installs Debian's chromium package")
    pytest.skip("chromium is not installed (apt-get install chromium); CI runs this test")


def _browse(browser: str, tmp_path: Path, page: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / "profile"
    return subprocess.run(
        [browser, *FLAGS, f"--user-data-dir={profile}", *args, page.as_uri()],
        capture_output=True, text=True, timeout=180, cwd=tmp_path,
    )


def _pixels(png: bytes) -> tuple[int, int, list[tuple[int, ...]]]:
    """Decode an 8-bit RGB or RGBA PNG (what Chromium writes) with the standard library."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos:pos + 4])
        kind, body = png[pos + 4:pos + 8], png[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6), (depth, colour)
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw, stride = zlib.decompress(idat), width * channels
    rows: list[bytearray] = []
    prev = bytearray(stride)
    for y in range(height):
        line = raw[y * (stride + 1):(y + 1) * (stride + 1)]
        kind, row = line[0], bytearray(line[1:])
        for i in range(stride):
            a = row[i - channels] if i >= channels else 0
            b, c = prev[i], (prev[i - channels] if i >= channels else 0)
            if kind == 1:
                row[i] = (row[i] + a) & 255
            elif kind == 2:
                row[i] = (row[i] + b) & 255
            elif kind == 3:
                row[i] = (row[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                row[i] = (row[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(row)
        prev = row
    pixels = [tuple(r[x * channels:x * channels + 3]) for r in rows[::4] for x in range(0, width, 4)]
    return width, height, pixels


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    root = FIXTURES / "chatbot_prototype"
    result = scan(root, load_config(root))
    assert result.score is not None
    page = tmp_path_factory.mktemp("report") / "report.html"
    page.write_text(RENDERERS["html"](result), encoding="utf-8")
    # The page shows the score of the JSON scorecard (rounded to one decimal), as every renderer does.
    return page, shown_score(result.score.to_json()["overall"]["score"]), result.score.verdict.decision


def test_screenshot_is_not_blank(report: tuple[Path, str, str], tmp_path: Path) -> None:
    browser = _chromium()
    page, _, _ = report
    shot = tmp_path / "shot.png"
    proc = _browse(browser, tmp_path, page, "--window-size=1000,1400", f"--screenshot={shot}")
    assert shot.is_file(), proc.stderr[-2000:]
    width, height, pixels = _pixels(shot.read_bytes())
    assert (width, height) == (1000, 1400)
    ink = [p for p in pixels if p != (255, 255, 255)]
    assert len(set(pixels)) > 40, "the page looks blank: too few colours"
    assert len(ink) / len(pixels) > 0.03, "the page looks blank: almost all white"
    assert any(r > 150 and g < 90 and b < 90 for r, g, b in pixels), "the red score gauge of a Prototype is not drawn"


def test_rendered_page_shows_the_score_and_verdict(report: tuple[Path, str, str], tmp_path: Path) -> None:
    browser = _chromium()
    page, score, decision = report
    dom = _browse(browser, tmp_path, page, "--dump-dom").stdout
    assert re.search(rf'id="score-value"[^>]*>{score}</text>', dom), dom[:2000]
    assert re.search(rf'id="verdict"[^>]*>{decision}</div>', dom)
    assert "The four launch questions" in dom


def test_report_prints_on_a4(report: tuple[Path, str, str], tmp_path: Path) -> None:
    browser = _chromium()
    page, _, _ = report
    pdf = tmp_path / "report.pdf"
    proc = _browse(browser, tmp_path, page, f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
    assert pdf.is_file(), proc.stderr[-2000:]
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf.read_bytes())
    assert boxes, "no pages in the PDF"
    for w, h in boxes:
        assert abs(float(w) - 595.3) < 2 and abs(float(h) - 841.9) < 2, (w, h)
