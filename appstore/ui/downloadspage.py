"""Downloads: every download with its progress bar, speed and time left, and Pause, Resume,
Cancel and Retry, one by one or all at once."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from appstore.core.catalog.models import App, localized
from appstore.core.downloads import DownloadItem, State
from appstore.core.errors import NotFound
from appstore.core.installs import Finished, parse_key
from appstore.ui import texts
from appstore.ui.controller import Controller
from appstore.ui.images import ImageLoader
from appstore.ui.installs import InstallController, app_key
from appstore.ui.widgets import clear_layout, plain_label, section_title

ICON = QSize(96, 96)


class DownloadRow(QFrame):
    """One download: name, bar, words, buttons. ``show_item`` updates it in place."""

    def __init__(self, page: DownloadsPage, item: DownloadItem) -> None:
        super().__init__()
        self.page = page
        self.key = item.key
        self.setObjectName("card")
        row = QHBoxLayout(self)
        row.setContentsMargins(14, 10, 12, 10)
        row.setSpacing(14)
        self.icon = QLabel()
        self.icon.setFixedSize(48, 48)
        row.addWidget(self.icon)
        col = QVBoxLayout()
        col.setSpacing(4)
        self.name = plain_label()
        f = self.name.font()
        f.setWeight(f.Weight.Bold)  # (700: a Chinese font gets a synthetic bold)
        self.name.setFont(f)
        self.bar = QProgressBar()
        self.bar.setTextVisible(False)
        self.bar.setFixedHeight(6)
        self.bar.setRange(0, 1000)
        self.words = plain_label()
        self.words.setProperty("muted", True)
        self.words.setWordWrap(True)
        col.addWidget(self.name)
        col.addWidget(self.bar)
        col.addWidget(self.words)
        row.addLayout(col, 1)
        self.action = QPushButton()
        self.action.clicked.connect(self._action)
        self.cancel = QPushButton(self.tr("Cancel"))
        self.cancel.clicked.connect(lambda: page.installs.cancel(self.key))
        row.addWidget(self.action)
        row.addWidget(self.cancel)
        self.item = item
        self.show_item(item)

    def show_item(self, item: DownloadItem) -> None:
        self.item = item
        parsed = parse_key(item.key)
        app = self.page.app_for(item.key)
        version = parsed[2] if parsed else ""
        name = localized(app.name, self.page.lang) if app else (parsed[1] if parsed else item.key)
        self.name.setText(f"{name}  {version}")
        if app is not None:
            pix = self.page.images.pixmap(app.store, app.icon, ICON)
            if pix is not None:
                self.icon.setPixmap(pix.scaled(48, 48, Qt.AspectRatioMode.KeepAspectRatio,
                                               Qt.TransformationMode.SmoothTransformation))
        state = item.state
        busy = state in (State.QUEUED, State.VERIFYING, State.DONE)
        if busy:
            self.bar.setRange(0, 0)
        else:
            self.bar.setRange(0, 1000)
            self.bar.setValue(int(item.progress.fraction * 1000))
        progress = texts.progress(item.progress)
        words = {
            State.QUEUED: self.tr("Waiting for a free slot…"),
            State.DOWNLOADING: progress,
            State.PAUSED: self.tr("Paused · %1").replace("%1", progress),
            State.VERIFYING: self.tr("Checking against the store’s signature…"),
            State.DONE: self.tr("Installing…"),
            State.FAILED: item.error or self.tr("Failed"),
            State.CANCELLED: self.tr("Cancelled"),
        }[state]
        self.words.setText(words)
        self.words.setStyleSheet("color: #c62828;" if state == State.FAILED else "")
        labels = {State.DOWNLOADING: self.tr("Pause"), State.QUEUED: self.tr("Pause"),
                  State.PAUSED: self.tr("Resume"), State.FAILED: self.tr("Retry"),
                  State.CANCELLED: self.tr("Retry")}
        self.action.setVisible(state in labels)
        self.action.setText(labels.get(state, ""))
        self.cancel.setVisible(state not in (State.DONE, State.VERIFYING))

    def _action(self) -> None:
        installs, state = self.page.installs, self.item.state
        if state in (State.DOWNLOADING, State.QUEUED):
            installs.pause(self.key)
        elif state == State.PAUSED:
            installs.resume(self.key)
        else:
            installs.retry(self.key)


class FinishedRow(QFrame):
    """A download that was installed: name, version, size, when, and Open."""

    def __init__(self, page: DownloadsPage, done: Finished) -> None:
        super().__init__()
        self.setObjectName("card")
        self.done = done
        row = QHBoxLayout(self)
        row.setContentsMargins(14, 8, 12, 8)
        row.setSpacing(14)
        self.page = page
        self.app = app = page.app_for(done.key)
        self.icon = QLabel()
        self.icon.setFixedSize(32, 32)
        self.set_icon()
        row.addWidget(self.icon)
        name = localized(app.name, page.lang) if app else done.app_id
        what = self.tr("Updated to %1").replace("%1", done.version) if done.update else \
            self.tr("Installed %1").replace("%1", done.version)
        downloaded = self.tr("%1 downloaded").replace("%1", texts.size(done.size))
        text = plain_label(f"{name} · {what} · {downloaded} · {texts.age(done.finished_at)}")
        text.setWordWrap(True)
        row.addWidget(text, 1)
        installed = page.installs.installed.get(app_key(done.store, done.app_id))
        if app is not None and installed is not None:
            open_button = QPushButton(self.tr("Open"))
            open_button.clicked.connect(lambda: page.installs.open(app))
            row.addWidget(open_button)


    def set_icon(self) -> None:
        pix = self.page.images.pixmap(self.app.store, self.app.icon, ICON) if self.app else None
        if pix is not None:
            self.icon.setPixmap(pix.scaled(32, 32, Qt.AspectRatioMode.KeepAspectRatio,
                                           Qt.TransformationMode.SmoothTransformation))


class DownloadsPage(QScrollArea):
    """The downloads list; rows are kept and updated in place as reports arrive."""

    def __init__(self, controller: Controller, installs: InstallController, images: ImageLoader,
                 lang: str) -> None:
        super().__init__()
        self.controller = controller
        self.installs = installs
        self.images = images
        self.lang = lang
        self.rows: dict[str, DownloadRow] = {}
        self.setWidgetResizable(True)
        page = QWidget()
        col = QVBoxLayout(page)
        col.setContentsMargins(32, 18, 32, 32)
        col.setSpacing(12)
        head = QHBoxLayout()
        title = QLabel(self.tr("Downloads"))
        title.setObjectName("pageTitle")
        head.addWidget(title)
        head.addStretch(1)
        self.pause_all = QPushButton(self.tr("Pause all"))
        self.pause_all.clicked.connect(installs.pause_all)
        self.resume_all = QPushButton(self.tr("Resume all"))
        self.resume_all.clicked.connect(installs.resume_all)
        head.addWidget(self.pause_all)
        head.addWidget(self.resume_all)
        col.addLayout(head)
        self.list = QVBoxLayout()
        self.list.setSpacing(8)
        col.addLayout(self.list)
        done_head = QHBoxLayout()
        self.done_title = section_title(self.tr("Completed"))
        done_head.addWidget(self.done_title)
        done_head.addStretch(1)
        self.clear = QPushButton(self.tr("Clear list"))
        self.clear.clicked.connect(installs.clear_history)
        done_head.addWidget(self.clear)
        self.done_list = QVBoxLayout()
        self.done_list.setSpacing(6)
        self.empty = QLabel(self.tr("Nothing is downloading. Apps you install appear here while "
                                    "they download; a paused download picks up where it stopped, "
                                    "even after a restart."))
        self.empty.setWordWrap(True)
        self.empty.setProperty("muted", True)
        col.addWidget(self.empty)
        col.addLayout(done_head)
        col.addLayout(self.done_list)
        col.addStretch(1)
        self.setWidget(page)
        self._shown_history: list[Finished] | None = None
        installs.downloads_changed.connect(self.rebuild)
        installs.changed.connect(self._changed)
        images.loaded.connect(self._image_loaded)
        self.rebuild()

    def app_for(self, download_key: str) -> App | None:
        parsed = parse_key(download_key)
        view = self.controller.view
        if parsed is None or view is None:
            return None
        try:
            return view.find(app_key(parsed[0], parsed[1])).app
        except NotFound:  # not in the catalogue any more
            return None

    def rebuild(self) -> None:
        items = [i for i in self.installs.downloads() if i.state != State.CANCELLED]
        keys = [i.key for i in items]
        if keys != list(self.rows):
            clear_layout(self.list)
            self.rows = {i.key: DownloadRow(self, i) for i in items}
            for row in self.rows.values():
                self.list.addWidget(row)
        else:
            for item in items:
                self.rows[item.key].show_item(item)
        self.empty.setVisible(not items)
        history = self.installs.history
        if history != self._shown_history:
            self._shown_history = list(history)
            clear_layout(self.done_list)
            for done in history[:20]:
                self.done_list.addWidget(FinishedRow(self, done))
        self.done_title.setVisible(bool(history))
        self.clear.setVisible(bool(history))
        self._update_buttons()

    def _image_loaded(self, _: str) -> None:
        self._changed("")
        for i in range(self.done_list.count()):
            item = self.done_list.itemAt(i)
            row = item.widget() if item is not None else None
            if isinstance(row, FinishedRow):
                row.set_icon()

    def _changed(self, _: str) -> None:
        for item in self.installs.downloads():
            row = self.rows.get(item.key)
            if row is not None and (row.item is not item or _ == ""):
                row.show_item(item)
        self._update_buttons()

    def _update_buttons(self) -> None:
        items = [i for i in self.installs.downloads() if i.state != State.CANCELLED]
        self.pause_all.setVisible(bool(items))
        self.resume_all.setVisible(bool(items))
        self.pause_all.setEnabled(any(i.state in (State.QUEUED, State.DOWNLOADING) for i in items))
        self.resume_all.setEnabled(any(i.state in (State.PAUSED, State.FAILED) for i in items))
