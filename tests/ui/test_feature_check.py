"""PySide6's question to every module imported after it (does its source name PySide6?), answered
from the file's bytes (``tuning.quick_feature_check``): the same answers as PySide's own."""

from __future__ import annotations

import inspect
import sys
from types import ModuleType

import appstore.ui  # noqa: F401 - installs the quick check
import appstore.ui.app  # noqa: F401 - and many modules, some naming PySide6, most not


def _pysides_answer(module: ModuleType) -> bool:
    try:
        return "PySide6" in inspect.getsource(module)
    except (TypeError, OSError, SyntaxError):
        return False


def test_the_quick_check_answers_as_pyside_does() -> None:
    feature = sys.modules["shibokensupport.feature"]
    check = feature._mod_uses_pyside
    assert getattr(check, "quick", False)
    modules = [m for m in list(sys.modules.values()) if isinstance(m, ModuleType)]
    answers = {m.__name__: check(m) for m in modules}
    assert answers == {m.__name__: _pysides_answer(m) for m in modules}
    assert answers["appstore.ui.app"] and not answers["appstore.core.services"]
