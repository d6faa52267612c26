"""A web page that keeps its console's warnings and errors: a demo DApp must not produce any."""

from __future__ import annotations

from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineProfile
from PySide6.QtWebEngineWidgets import QWebEngineView


class ConsolePage(QWebEnginePage):
    def __init__(self, profile: QWebEngineProfile, parent: QWebEngineView) -> None:
        super().__init__(profile, parent)
        self.problems: list[str] = []

    def javaScriptConsoleMessage(self, level: QWebEnginePage.JavaScriptConsoleMessageLevel, message: str,
                                 line: int, source: str) -> None:
        if level != QWebEnginePage.JavaScriptConsoleMessageLevel.InfoMessageLevel:
            self.problems.append(f"{source}:{line}: {message}")
