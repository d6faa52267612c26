"""Installing imapp's translations (and Qt's own) for a language: the store's window and the DApp
host processes use the same ones (docs/translations.md)."""

from __future__ import annotations

import sys

from PySide6.QtCore import QLibraryInfo, QTranslator
from PySide6.QtWidgets import QApplication

from appstore.core.resources import RESOURCES
from appstore.ui import texts

TRANSLATIONS = RESOURCES / "translations"


class Translations:
    """Installs imapp's and Qt's own translations for a language (replacing any installed
    before: translators belong to the whole application)."""

    installed: list[QTranslator] = []

    def __init__(self, app: QApplication) -> None:
        self.app = app

    def use(self, lang: str) -> None:
        for t in Translations.installed:
            self.app.removeTranslator(t)
        Translations.installed = []
        texts.set_language(lang)
        qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        for name, folder in ((f"imapp_{lang}", str(TRANSLATIONS)), (f"qtbase_{lang}", qt_dir)):
            t = QTranslator(self.app)
            if t.load(name, folder):
                self.app.installTranslator(t)
                Translations.installed.append(t)
            elif name.startswith("imapp") and lang != "en":
                print(f"warning: no compiled translation {TRANSLATIONS / name}.qm; "
                      "run `make run` (it builds them)", file=sys.stderr)
