"""PySide6's question to every module imported after it (does its source name PySide6?), answered
from the file's bytes (``tuning.quick_feature_check``): the same answers as PySide's own function,
the one the quick check replaced, called on every module loaded."""

from __future__ import annotations

import sys
from types import ModuleType

import appstore.ui  # noqa: F401 - installs the quick check
import appstore.ui.app  # noqa: F401 - and many modules, some naming PySide6, most not


def test_the_quick_check_answers_as_pyside_does() -> None:
    feature = sys.modules["shibokensupport.feature"]
    check = feature._mod_uses_pyside
    assert getattr(check, "quick", False)
    pysides = check.original  # PySide's own, kept by the quick check
    assert pysides.__module__ == feature.__name__ and not getattr(pysides, "quick", False)
    modules = [m for m in list(sys.modules.values()) if isinstance(m, ModuleType)]
    answers = {m.__name__: check(m) for m in modules}
    assert answers == {m.__name__: bool(pysides(m)) for m in modules}
    assert answers["appstore.ui.app"] and not answers["appstore.core.services"]
    assert not answers["sys"] and not answers["marshal"]  # built in: no source to read
