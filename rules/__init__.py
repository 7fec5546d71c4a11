"""The core rule pack of readiness: one rule per file, plus its TOML catalogs."""
