"""Per-file facts and their project-level links.

`extract` is loaded first: the collector modules it registers import its `Collector` base.
"""
from readiness.facts import extract as _extract  # noqa: F401
