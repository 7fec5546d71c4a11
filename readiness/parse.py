"""Read and parse one file with libcst; a file that cannot be parsed becomes a `ParseFailure`."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from readiness.discover import SourceFile
from readiness.model import Diagnostic, Location

if TYPE_CHECKING:  # libcst loads only to parse (notebook_code serves the pre-screen without it)
    import libcst as cst


@dataclass(frozen=True, slots=True)
class CellMap:
    """Maps a line of the code assembled from a notebook back to (cell, line in cell)."""

    lines: tuple[tuple[int, int], ...]  # index: assembled line - 1

    def locate(self, line: int) -> tuple[int | None, int]:
        if 1 <= line <= len(self.lines):
            return self.lines[line - 1]
        return None, line


@dataclass(frozen=True, slots=True)
class ParsedModule:
    source: SourceFile
    module: cst.Module
    text: str
    cells: CellMap | None = None

    def location(self, line: int, col: int = 0) -> Location:
        if self.cells is None:
            return Location(self.source.path, line, col)
        cell, cell_line = self.cells.locate(line)
        return Location(self.source.path, cell_line, col, cell)


@dataclass(frozen=True, slots=True)
class ParseFailure:
    source: SourceFile
    diagnostic: Diagnostic


def _magic_free(line: str) -> str:
    """IPython magics and shell escapes are not Python; keep the line count, drop the code."""
    stripped = line.lstrip()
    if stripped.startswith(("%", "!", "?")) or stripped.endswith("?") and stripped[:-1].isidentifier():
        return line[: len(line) - len(stripped)] + "pass  # " + stripped
    return line


def notebook_code(raw: bytes) -> tuple[str, CellMap]:
    """Join a notebook's code cells into one module, remembering where each line came from.

    Raises:
        ValueError: the notebook is not JSON of the nbformat shape.
    """
    doc = json.loads(raw.decode("utf-8", errors="replace"))
    cells = doc.get("cells") if isinstance(doc, dict) else None
    if not isinstance(cells, list):
        raise ValueError("no `cells` list")
    out: list[str] = []
    where: list[tuple[int, int]] = []
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else str(source)
        if text.lstrip().startswith("%%"):
            continue  # a cell magic (%%bash, %%html): the whole cell is another language
        for offset, line in enumerate(text.splitlines(), start=1):
            out.append(_magic_free(line))
            where.append((number, offset))
    return "\n".join(out) + "\n", CellMap(tuple(where))


def _syntax_message(exc: cst.ParserSyntaxError) -> str:
    return f"syntax error: {exc.message}"


def parse_file(source: SourceFile, raw: bytes) -> ParsedModule | ParseFailure:
    """Parse a Python file or notebook; never raises."""
    import libcst as cst

    try:
        if source.kind == "notebook":
            text, cells = notebook_code(raw)
            module = cst.parse_module(text)
            return ParsedModule(source, module, text, cells)
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            what = "file is UTF-16 encoded; Python reads source as UTF-8 (or a coding cookie's ASCII-compatible encoding)"
            return ParseFailure(source, Diagnostic("unparsable", Location(source.path), what))
        if b"\0" in raw:
            return ParseFailure(source, Diagnostic("unparsable", Location(source.path), "file contains NUL bytes"))
        module = cst.parse_module(raw)
        return ParsedModule(source, module, raw.decode(module.encoding, errors="replace"))
    except cst.ParserSyntaxError as exc:
        return ParseFailure(source, Diagnostic("unparsable", Location(source.path, exc.raw_line, exc.raw_column), _syntax_message(exc)))
    except (ValueError, UnicodeDecodeError, LookupError) as exc:
        what = "notebook is not valid JSON" if source.kind == "notebook" else "cannot decode"
        return ParseFailure(source, Diagnostic("unparsable", Location(source.path), f"{what}: {exc}"))
    except RecursionError:
        return ParseFailure(source, Diagnostic("unparsable", Location(source.path), "nesting too deep to parse"))
    except Exception as exc:  # noqa: BLE001 - the error boundary for one file: a record, never a crash
        return ParseFailure(source, Diagnostic("unparsable", Location(source.path), f"{type(exc).__name__}: {exc}"))
