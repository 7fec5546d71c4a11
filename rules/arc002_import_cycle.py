"""Flags modules that import each other in a circle.

## What it does
Builds the import graph of the repo (packages, relative imports, `src/` layouts; imports under
`if TYPE_CHECKING:` are left out) and reports each cycle once, at the import in its first
module that starts the loop, naming the whole loop. An import inside a function still closes
a loop (the modules still depend on each other); the message says so.

## Why it matters in production
A cycle works until someone moves an import or a name, then fails at start-up with a
half-initialised module. Modules in a cycle cannot be tested, reused or replaced apart: they
are one module in several files. *Ownership and handoff: clean module boundaries, no cycles.*

## Remediation
Move what both modules need into a third module they both import (often shared types or
config), or pass the dependency in as an argument instead of importing it back.
"""
from __future__ import annotations

from typing import Iterator

from readiness import Confidence, Finding, Invalid, Rule, Severity, Valid
from readiness.project import Project
from readiness.rules._project import at_line


class ImportCycle(Rule):
    code = "ARC002"
    name = "import-cycle"
    control = "ownership.no-cycles"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    effort = 60

    INVALID = [
        Invalid(
            {
                "app/__init__.py": "",
                "app/chat.py": "from app.store import save\n\ndef reply(text):\n    save(text)\n    return text\n",
                "app/store.py": "from . import chat\n\ndef save(text):\n    return chat\n",
            },
            lines=(("app/chat.py", 1),),
        ),
        Invalid(
            {
                "src/pkg/__init__.py": "",
                "src/pkg/a.py": "import pkg.b\n",
                "src/pkg/b.py": "from pkg import c\n",
                "src/pkg/c.py": "import os\nfrom .a import thing\n",
            },
            lines=(("src/pkg/a.py", 1),),
        ),
        # Moving the import into a function hides the loop from Python, not from the design.
        Invalid(
            {"llm.py": "from store import log_call\n\ndef ask(q):\n    log_call(q)\n", "store.py": "def log_call(q):\n    from llm import ask\n    return ask\n"},
            lines=(("llm.py", 1),),
        ),
    ]
    VALID = [
        Valid(
            {
                "app/__init__.py": "",
                "app/types.py": "class Message:\n    pass\n",
                "app/chat.py": "from app.types import Message\nfrom app.store import save\n",
                "app/store.py": "from app.types import Message\n",
            }
        ),
        # An import needed only for type hints does not run, so it does not close a loop.
        Valid(
            {
                "app/__init__.py": "",
                "app/chat.py": "from app.store import save\n",
                "app/store.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from app.chat import reply\n",
            }
        ),
    ]

    def check(self, project: Project) -> Iterator[Finding]:
        graph = project.graph
        for component in graph.cycles():
            loop = graph.cycle_path(component)
            start, following = loop[0], loop[1]
            chain = " -> ".join(loop)
            extra = f" ({len(component)} modules in the tangle)" if len(component) > len(loop) - 1 else ""
            lazy = [a for a, b in zip(loop, loop[1:]) if graph.edge_context(a, b) == "local"]
            if lazy:
                extra += f"; closed by an import inside a function in {lazy[0]}"
            yield self.finding(
                at_line(project, start, graph.edge_line(start, following)),
                f"import cycle: {chain}{extra}",
            )
