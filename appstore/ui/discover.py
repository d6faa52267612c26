"""Discover: the featured banner, categories, search-as-you-type and the grid of apps."""

from __future__ import annotations

import bisect
from functools import partial

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPoint, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QHBoxLayout,
    QLineEdit,
    QListView,
    QPushButton,
    QStyle,
    QStyleOption,
    QVBoxLayout,
    QWidget,
)

from appstore.core.catalog.models import localized
from appstore.core.jobs import JobContext
from appstore.core.store.manager import CatalogView, Results
from appstore.ui.delegates import AppCardDelegate
from appstore.ui.featured import FeaturedBanner
from appstore.ui.images import ImageLoader, image_key
from appstore.ui.models import ICON_SIZE, AppListModel, Roles
from appstore.ui.widgets import chip, clear_layout, plain_label

FEATURED_MAX = 8  # a carousel, not a second catalogue
COMPACT_BELOW = 720  # px of page height: below it the featured banner is the compact one
MIN_CARD_WIDTH = 300  # px; as many columns as fit, then the cards widen to fill the row
SYNC_SEARCH_LIMIT = 2000  # apps; bigger catalogues are searched in a worker


class AppGrid(QListView):
    """The grid of app cards; a click, or Enter, opens an app (``activated``). A click on a
    card's button (Install, Open, Update…) emits ``card_action(str)`` with the app's ref
    instead.

    The cards fill each row: the grid picks the number of columns that fits its width
    (``MIN_CARD_WIDTH``) and gives the cards the width that fills them. That is one number
    (``AppCardDelegate.card_width``), set before each layout: with uniform item sizes QListView
    asks the delegate for a single size per layout, so a resize costs nothing per app.

    Its cards' icons are asked for as they are painted; once the grid scrolls, the loads of the
    cards no longer on screen are cancelled (``ImageLoader.keep_only``).
    """

    card_action = Signal(str)

    def __init__(self, images: ImageLoader | None = None) -> None:
        super().__init__()
        self.images = images
        self._pressed_action: QPersistentModelIndex | None = None
        self._keep_asked = False
        self.cards = AppCardDelegate(self)  # first: the setters below may lay out
        self.setObjectName("apps")
        # List mode wrapping left to right, with uniform sizes: the view lays out 100,000 cards
        # from the row count alone, without asking the model about each one (icon mode would).
        self.setViewMode(QListView.ViewMode.ListMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(True)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setUniformItemSizes(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.verticalScrollBar().setSingleStep(24)
        self.setMouseTracking(True)
        self.setItemDelegate(self.cards)
        self.clicked.connect(self._clicked)
        self.verticalScrollBar().valueChanged.connect(self._drop_offscreen_loads)

    # -- icons --------------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        if self.images is None:
            super().paintEvent(event)
            return
        with self.images.painting_grid():
            super().paintEvent(event)

    def visible_rows(self) -> range:
        """The rows whose cards are (partly) on screen: the cards are laid out in row order, so
        two binary searches over their places find them, whatever the number of rows."""
        model = self.model()
        n = model.rowCount() if model is not None else 0
        if n == 0:
            return range(0)
        height = self.viewport().height()
        first = bisect.bisect_left(range(n), 0, key=lambda r: self.visualRect(model.index(r, 0)).bottom())
        end = bisect.bisect_left(range(n), height, key=lambda r: self.visualRect(model.index(r, 0)).top())
        return range(first, max(first, end))

    def _drop_offscreen_loads(self) -> None:
        """Once the events of this scroll are handled: drop the loads of cards scrolled away (a
        drag emits a scroll per pixel; one look after them is enough)."""
        if self.images is not None and not self._keep_asked:
            self._keep_asked = True
            QTimer.singleShot(0, self._keep_visible_loads)

    def _keep_visible_loads(self) -> None:
        self._keep_asked = False
        model = self.model()
        if self.images is None or model is None:
            return
        keys = set()
        for row in self.visible_rows():
            app = model.index(row, 0).data(Roles.APP)
            if app is not None:
                keys.add(image_key(app.store, app.icon, ICON_SIZE))
        self.images.keep_only(keys)

    # -- opening ------------------------------------------------------------------------------
    # Qt "activates" an item on a double click, or on a single click where the platform says so
    # (SH_ItemView_ActivateItemOnSingleClick: KDE's setting). A store opens an app on a single
    # click everywhere, so ``clicked`` activates too, unless Qt just did.
    def _activates_on_single_click(self) -> bool:
        option = QStyleOption()
        option.initFrom(self)
        return bool(self.style().styleHint(QStyle.StyleHint.SH_ItemView_ActivateItemOnSingleClick,
                                           option, self))

    def _clicked(self, index: QModelIndex) -> None:
        if index.isValid() and not self._activates_on_single_click():
            self.activated.emit(index)

    def _action_at(self, pos: QPoint) -> QModelIndex | None:
        index = self.indexAt(pos)
        text = index.data(Roles.ACTION) if index.isValid() else None
        if text and self.cards.action_rect(self.visualRect(index), str(text)).contains(pos):
            return index
        return None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        index = self._action_at(event.position().toPoint())
        if index is not None and event.button() == Qt.MouseButton.LeftButton:
            self._pressed_action = QPersistentModelIndex(index)
            return  # the button's, not the card's: no selection, no opening
        self._pressed_action = None
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        pressed, self._pressed_action = self._pressed_action, None
        if pressed is not None:
            index = self._action_at(event.position().toPoint())
            if index is not None and QPersistentModelIndex(index) == pressed:
                self.card_action.emit(str(index.data(Roles.REF)))
            return
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        """A double click is two clicks: its first opened the app already (Qt would activate it
        once more)."""
        self.mousePressEvent(event)

    # -- layout -------------------------------------------------------------------------------
    def layout_width(self) -> int:
        """The width QListView lays the cards out in: the viewport as if the vertical scroll bar
        showed (it reserves that room, so the bar coming and going never reflows the grid)."""
        width = self.maximumViewportSize().width()
        bar = self.verticalScrollBar()
        style = self.style()
        if (self.verticalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAsNeeded
                and not style.pixelMetric(QStyle.PixelMetric.PM_ScrollView_ScrollBarOverlap, None, bar)):
            width -= style.pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent, None, bar)
            if style.styleHint(QStyle.StyleHint.SH_ScrollView_FrameOnlyAroundContents, None, self):
                option = QStyleOption()
                option.initFrom(self)
                width -= 2 * style.pixelMetric(QStyle.PixelMetric.PM_DefaultFrameWidth, option, self)
        return width

    def columns(self) -> int:
        return max(1, self.layout_width() // MIN_CARD_WIDTH)

    def card_width(self) -> int:
        """The width that fills a row. One pixel short: QListView wraps an item that would end
        exactly at the edge."""
        width = self.layout_width()
        return max(1, (width - 1) // self.columns())

    def doItemsLayout(self) -> None:
        """Every layout (resize, new results, new style) starts here: size the cards first."""
        self.cards.card_width = self.card_width()
        super().doItemsLayout()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.activated.emit(self.currentIndex())
            return
        super().keyPressEvent(event)


class DiscoverPage(QWidget):
    """Signals: ``open_app(str)`` the ref of an app to show; ``searched(str)`` the results of a
    search run in a worker are shown (big catalogues)."""

    open_app = Signal(str)
    searched = Signal(str)

    def __init__(self, images: ImageLoader, model: AppListModel, lang: str) -> None:
        super().__init__()
        self.lang = lang
        self.model = model
        self._search_seq = 0
        self.jobs = images.controller.jobs  # searches run one at a time; the newest wins

        title = plain_label(self.tr("Discover"))
        title.setObjectName("pageTitle")
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText(self.tr("Search apps in all stores"))
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(320)
        self.search.textChanged.connect(self._refilter)
        self.search.returnPressed.connect(self._focus_results)
        head = QHBoxLayout()
        head.addWidget(title)
        head.addStretch(1)
        head.addWidget(self.search)

        self.featured = FeaturedBanner(images, lang)
        self.featured.open_app.connect(self.open_app)

        self.chips_row = QHBoxLayout()
        self.chips_row.setSpacing(8)
        self.chips = QButtonGroup(self)
        self.chips.setExclusive(True)
        chips_box = QWidget()
        chips_box.setLayout(self.chips_row)
        self.chips_row.setContentsMargins(0, 0, 0, 0)

        self.count = plain_label()
        self.count.setProperty("muted", True)
        self.grid = AppGrid(images)
        self.grid.setModel(model)
        self.grid.activated.connect(self._activated)  # a click, Enter (see AppGrid)
        # nothing to show: what happened and what to do, where the cards would start
        self.empty_box = QWidget()
        empty_col = QVBoxLayout(self.empty_box)
        empty_col.setContentsMargins(0, 36, 0, 0)
        empty_col.setSpacing(12)
        self.empty = plain_label()  # it can quote the search
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty_hint = plain_label()
        self.empty_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_hint.setProperty("muted", True)
        self.empty_hint.setWordWrap(True)
        self.empty_action = QPushButton()
        self.empty_action.clicked.connect(self._show_all)
        empty_col.addWidget(self.empty)
        empty_col.addWidget(self.empty_hint)
        empty_col.addWidget(self.empty_action, 0, Qt.AlignmentFlag.AlignHCenter)
        empty_col.addStretch(1)

        # The chips stay where they are whatever is chosen (above the banner, which hides for a
        # category or a search): a second click lands on a chip again, not on the grid.
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 8)
        layout.setSpacing(12)
        layout.addLayout(head)
        layout.addWidget(chips_box)
        layout.addWidget(self.featured)
        layout.addWidget(self.count)
        layout.addWidget(self.grid, 1)
        layout.addWidget(self.empty_box, 1)
        self.set_view(model.view)

    def set_view(self, view: CatalogView | None) -> None:
        """A new catalogue is in use (the model was already reset)."""
        for button in self.chips.buttons():
            self.chips.removeButton(button)
        clear_layout(self.chips_row)
        all_button = chip(self.tr("All"), lambda: self._set_category(None))
        self.chips.addButton(all_button)
        self.chips_row.addWidget(all_button)
        if view is not None:
            for key, names in sorted(view.categories.items(), key=lambda kv: kv[0]):
                button = chip(localized(names, self.lang), partial(self._set_category, key))
                button.setProperty("category", key)
                self.chips.addButton(button)
                self.chips_row.addWidget(button)
        self.chips_row.addStretch(1)
        category = self.model.category
        for other in self.chips.buttons():
            other.setChecked(other.property("category") == category if category else other is all_button)
        featured = view.featured[:FEATURED_MAX] if view else []
        self.featured.set_items(featured)
        self._update_labels()  # the model has already filtered the new catalogue
        if view is not None and view.searches_on_disk and (self.model.query or self.model.category):
            self._search(self.model.query, self.model.category)  # in a worker, not here

    def _set_category(self, key: str | None) -> None:
        self._search(self.search.text(), key)

    def _refilter(self) -> None:
        self._search(self.search.text(), self.model.category)

    def _search(self, query: str, category: str | None) -> None:
        """Filter now for small catalogues; in a worker for big ones, so typing never waits."""
        view = self.model.view
        if view is None or (len(view.listings) <= SYNC_SEARCH_LIMIT and not view.searches_on_disk):
            self.model.set_filter(query, category)
            self._update_labels()
            return
        self._search_seq += 1
        seq = self._search_seq

        def search(ctx: JobContext) -> Results | None:
            if seq != self._search_seq:
                return None  # the user typed on: skip this one
            return view.search_results(query, category)

        def show(results: Results | None) -> None:
            if results is not None and seq == self._search_seq and view is self.model.view:
                self.model.set_rows(results, query, category)
                self._update_labels()
                self.searched.emit(query)

        self.jobs.submit(search, lane="search", title="search", on_done=show)

    def _update_labels(self) -> None:
        query = self.model.query.strip()
        category = self.model.category
        n = self.model.total
        self.featured.setVisible(not query and category is None and bool(self.featured.items))
        hint, action = "", ""
        if self.model.view is None:
            self.empty.setText(self.tr("Loading the catalogue…"))
        elif n == 0 and query:
            self.empty.setText(self.tr("No apps match “%1”.").replace("%1", query))
            hint = (self.tr("Check the spelling, try fewer or other words, or look in every category.")
                    if category else self.tr("Check the spelling or try fewer or other words."))
            action = self.tr("Clear the search")
        elif n == 0 and category:
            self.empty.setText(self.tr("No apps in this category yet."))
            action = self.tr("Show all apps")
        elif n == 0:
            self.empty.setText(self.tr("No apps here yet. Add a store in Settings."))
        self.empty_hint.setText(hint)
        self.empty_hint.setVisible(bool(hint))
        self.empty_action.setText(action)
        self.empty_action.setVisible(bool(action))
        self.count.setText(self.tr("%n app(s)", "", n) if self.model.view is not None else "")
        self.count.setVisible(n > 0)  # "0 apps" says nothing the message below does not
        self.grid.setVisible(n > 0)
        self.empty_box.setVisible(n == 0)

    def _show_all(self) -> None:
        """The empty page's button: clear the search (and the category, if that was all)."""
        if self.model.query.strip():
            self.search.clear()  # (searches again)
            return
        for button in self.chips.buttons():
            if button.property("category") is None:
                button.click()  # "All"
                return

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        # a low window keeps its room for the cards: the banner shrinks
        self.featured.set_compact(self.height() < COMPACT_BELOW)

    def _focus_results(self) -> None:
        if self.model.rowCount():
            self.grid.setFocus()
            self.grid.setCurrentIndex(self.model.index(0, 0))

    def _activated(self, index: QModelIndex) -> None:
        ref = index.data(Roles.REF)
        if ref:
            self.open_app.emit(ref)

    def sizeHint(self) -> QSize:
        return QSize(1000, 700)
