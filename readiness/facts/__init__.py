"""Per-file facts and their project-level links."""
