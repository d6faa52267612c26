"""The build hook: a wheel carries compiled translations (.qm), which are never committed.

Everything else is in pyproject.toml. Building copies the package data (the demo store, the .ts
sources, the icons) and then compiles each .ts beside its copy with appstore/tsqm.py, which
needs nothing but Python: pip builds in an environment that has setuptools and no PySide6, so
pyside6-lrelease is not there (docs/architecture.md, "Packaging").
"""

from __future__ import annotations

import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


class BuildWithTranslations(build_py):
    def run(self) -> None:
        super().run()
        sys.path.insert(0, str(HERE))
        from appstore.tsqm import compile_ts

        folder = Path(self.build_lib) / "appstore" / "resources" / "translations"
        sources = sorted(folder.glob("*.ts"))
        if not sources:
            raise SystemExit(f"error: no .ts translations in {folder}: the package data is incomplete")
        for ts in sources:
            compile_ts(ts, ts.with_suffix(".qm"))


setup(cmdclass={"build_py": BuildWithTranslations})
