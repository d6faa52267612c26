"""Settings, "On the desktop": the tray (start hidden in it, keep running in it when the window
is closed) and which desktop notifications are shown (``desktopoptions.DesktopOptions``)."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QLabel, QSystemTrayIcon, QVBoxLayout, QWidget

from appstore.ui.desktopoptions import NOTICE_KINDS, DesktopOptions
from appstore.ui.widgets import plain_label, section_title


class DesktopSettings(QWidget):
    """The section's widgets; each change is kept at once. ``tray``: whether the desktop has a
    tray (without one, the tray's options are shown off and disabled, with the reason)."""

    def __init__(self, options: DesktopOptions, tray: bool | None = None) -> None:
        super().__init__()
        self.options = options
        has_tray = QSystemTrayIcon.isSystemTrayAvailable() if tray is None else tray
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(8)
        col.addWidget(section_title(self.tr("On the desktop")))
        self.start_minimized = QCheckBox(self.tr("Start hidden in the tray"))
        self.start_minimized.setChecked(options.start_minimized)
        self.start_minimized.toggled.connect(lambda on: setattr(options, "start_minimized", on))
        self.close_to_tray = QCheckBox(self.tr("Keep imapp running in the tray when its window is closed"))
        self.close_to_tray.setChecked(options.close_to_tray)
        self.close_to_tray.toggled.connect(lambda on: setattr(options, "close_to_tray", on))
        col.addWidget(self.start_minimized)
        col.addWidget(self.close_to_tray)
        self.no_tray: QLabel | None = None
        if not has_tray:
            for box in (self.start_minimized, self.close_to_tray):
                box.setEnabled(False)
            self.no_tray = self._note(self.tr("This desktop has no system tray, so imapp cannot keep "
                                              "running there: closing its window quits it."))
            col.addWidget(self.no_tray)

        col.addSpacing(6)
        col.addWidget(plain_label(self.tr("Show a desktop notification when:")))
        labels = {"downloads": self.tr("a download has been installed"),
                  "updates": self.tr("updates are available"),
                  "rewards": self.tr("IA is credited to your wallet"),
                  "games": self.tr("a round you staked on has settled")}
        self.notify: dict[str, QCheckBox] = {}
        for kind in NOTICE_KINDS:
            box = self.notify[kind] = QCheckBox(labels[kind])
            box.setObjectName(f"notify:{kind}")
            box.setChecked(options.notifies(kind))
            box.toggled.connect(lambda on, k=kind: options.set_notifies(k, on))
            col.addWidget(box)
        col.addWidget(self._note(self.tr("Notifications are shown while imapp's window is not in "
                                         "front; in front, the window itself says what happened.")))

    @staticmethod
    def _note(text: str) -> QLabel:
        note = plain_label(text)
        note.setWordWrap(True)
        note.setProperty("muted", True)
        return note
