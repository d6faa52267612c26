"""The install button of an app and everything it turns into: Install, a progress bar with
Pause and Cancel, Resume, Retry with the reason, Open, Update (or Review and update, for an
update that asks for more permissions) and Uninstall. One widget, used on
the app page; it follows the app's state live."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from appstore.core.catalog.models import App, localized
from appstore.ui import texts
from appstore.ui.consent import ConsentDialog, asks_for_more, review_update
from appstore.ui.installs import AppState, InstallController, Phase, app_key
from appstore.ui.widgets import plain_label


class UninstallDialog(QMessageBox):
    """Asks before uninstalling, and whether to keep what the app saved."""

    def __init__(self, parent: QWidget, name: str) -> None:
        super().__init__(parent)
        self.setIcon(QMessageBox.Icon.Question)
        self.setWindowTitle(self.tr("Uninstall"))
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setText(self.tr("Uninstall “%1”?").replace("%1", name))
        self.setInformativeText(self.tr("You can install it again at any time."))
        self.keep = QCheckBox(self.tr("Keep what it saved on this computer"))
        self.keep.setChecked(True)
        self.setCheckBox(self.keep)
        self.remove = self.addButton(self.tr("Uninstall"), QMessageBox.ButtonRole.DestructiveRole)
        self.addButton(QMessageBox.StandardButton.Cancel)


def confirm_uninstall(parent: QWidget, name: str) -> bool | None:
    """None if the user said no; else whether to keep the app's data."""
    box = UninstallDialog(parent, name)
    box.exec()
    return box.keep.isChecked() if box.clickedButton() is box.remove else None


class AppActions(QWidget):
    """What the user can do with one app now."""

    def __init__(self, installs: InstallController, app: App, lang: str) -> None:
        super().__init__()
        self.installs = installs
        self.app = app
        self.lang = lang
        self.key = app_key(app.store, app.id)
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(6)
        row = QHBoxLayout()
        row.setSpacing(8)
        self.primary = QPushButton()
        self.primary.setObjectName("primary")
        self.primary.setMinimumWidth(110)
        self.primary.clicked.connect(self._primary)
        self.secondary = QPushButton()
        self.secondary.clicked.connect(self._secondary)
        self.uninstall_button = QPushButton(self.tr("Uninstall"))
        self.uninstall_button.clicked.connect(self.uninstall)
        for b in (self.primary, self.secondary, self.uninstall_button):
            row.addWidget(b)
        row.addStretch(1)
        col.addLayout(row)
        self.bar = QProgressBar()
        self.bar.setTextVisible(False)
        self.bar.setFixedHeight(6)
        self.bar.setMaximumWidth(360)
        self.note = plain_label()
        self.note.setProperty("muted", True)
        self.note.setWordWrap(True)
        self.asks = plain_label()  # what a waiting update asks for more
        self.asks.setObjectName("danger")
        self.asks.setWordWrap(True)
        self.consent: ConsentDialog | None = None
        col.addWidget(self.bar)
        col.addWidget(self.note)
        col.addWidget(self.asks)
        installs.changed.connect(self._changed)
        self.state: AppState = installs.state(app)
        self.refresh()

    def _changed(self, key: str) -> None:
        if key in ("", self.key):
            self.refresh()

    def refresh(self) -> None:
        s = self.state = self.installs.state(self.app)
        phase = s.phase
        show = {self.primary: True, self.secondary: False, self.uninstall_button: False}
        bar, note, asks = False, "", ""
        self.note.setStyleSheet("")
        if phase is Phase.AVAILABLE:
            self.primary.setText(self.tr("Install"))
            rel = self.app.latest
            note = self.tr("%1 to download").replace("%1", texts.size(rel.size)) if rel else ""
        elif phase is Phase.LINK:
            self.primary.setText(self.tr("Open website"))
            note = self.tr("A web link: nothing to install")
        elif phase in (Phase.PREPARING, Phase.QUEUED):
            show[self.primary] = False
            show[self.secondary] = True
            self.secondary.setText(self.tr("Cancel"))
            bar, note = True, self.tr("Waiting to download…")
        elif phase is Phase.DOWNLOADING and s.item is not None:
            self.primary.setText(self.tr("Pause"))
            show[self.secondary] = True
            self.secondary.setText(self.tr("Cancel"))
            bar, note = True, texts.progress(s.item.progress)
        elif phase is Phase.PAUSED and s.item is not None:
            self.primary.setText(self.tr("Resume"))
            show[self.secondary] = True
            self.secondary.setText(self.tr("Cancel"))
            bar = True
            note = self.tr("Paused · %1").replace("%1", texts.progress(s.item.progress))
        elif phase is Phase.VERIFYING:
            show[self.primary] = False
            bar, note = True, self.tr("Checking the download against the store’s signature…")
        elif phase is Phase.INSTALLING:
            show[self.primary] = False
            bar, note = True, self.tr("Installing…")
        elif phase is Phase.INSTALLED and s.installed is not None:
            self.primary.setText(self.tr("Open"))
            show[self.uninstall_button] = True
            note = self.tr("Version %1 installed · %2 on disk").replace("%1", s.installed.version).replace(
                "%2", texts.size(s.installed.size))
            if s.installed.store_gone:
                note += " · " + self.tr("its store was removed: no more updates")
        elif phase is Phase.UPDATE and s.installed is not None and s.update is not None:
            # an update that asks for more waits for the user's consent (consent.py)
            self.primary.setText(self.tr("Review and update") if s.update.waits else self.tr("Update"))
            show[self.secondary] = True
            self.secondary.setText(self.tr("Open"))
            show[self.uninstall_button] = True
            note = self.tr("Version %1 installed · %2 available").replace(
                "%1", s.update.installed).replace("%2", s.update.available)
            asks = asks_for_more(s.update) if s.update.waits else ""
        else:  # failed
            self.primary.setText(self.tr("Retry"))
            show[self.uninstall_button] = s.installed is not None
            note = s.error or self.tr("The download failed.")
            self.note.setStyleSheet("color: #c62828;")
        for button, visible in show.items():
            button.setVisible(visible)
        self.bar.setVisible(bar)
        if bar:
            if phase in (Phase.PREPARING, Phase.QUEUED, Phase.VERIFYING, Phase.INSTALLING):
                self.bar.setRange(0, 0)  # busy: an animation, not a frozen bar
            else:
                self.bar.setRange(0, 1000)
                self.bar.setValue(int(s.fraction * 1000))
        self.note.setText(note)
        self.note.setVisible(bool(note))
        self.asks.setText(asks)
        self.asks.setVisible(bool(asks))

    def _primary(self) -> None:
        s = self.state
        if s.phase is Phase.UPDATE and s.update is not None and s.update.waits:
            self.consent = review_update(self, self.installs, self.app, s.update)
        else:
            self.installs.act(self.app)

    def _secondary(self) -> None:
        s = self.state
        if s.phase is Phase.UPDATE:
            self.installs.open(self.app)
        elif s.item is not None:
            self.installs.cancel(s.item.key)

    def uninstall(self) -> None:
        keep = confirm_uninstall(self, localized(self.app.name, self.lang))
        if keep is not None:
            self.installs.uninstall(self.app.store, self.app.id, keep_data=keep)
