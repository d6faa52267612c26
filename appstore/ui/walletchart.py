"""The Wallet page's balance over time: a step at each receipt (a payment or a swap shows as the
drop it is, not as a ramp between days), from the first receipt shown, over at least the last
week, up to now (QtCharts, loaded on first use)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QVBoxLayout, QWidget

from appstore.ui import theme
from appstore.ui.widgets import plain_label

MIN_SPAN = timedelta(days=7)


def _ms(iso: str) -> int:
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)


def step_points(points: list[tuple[str, int]], now: datetime) -> list[tuple[int, int]]:
    """``(ms since the epoch, balance in base units)`` to draw: ``points`` is the balance
    before the first receipt shown (at that receipt's time), then the balance after each
    receipt, oldest first. Each receipt is a vertical step; the line starts at least
    ``MIN_SPAN`` before ``now`` and runs on to ``now``."""
    if not points:
        return []
    start_ms = min(_ms(points[0][0]), int((now - MIN_SPAN).timestamp() * 1000))
    out = [(start_ms, points[0][1])]
    for time, balance in points[1:]:
        at = _ms(time)
        out.append((at, out[-1][1]))  # flat until the receipt…
        out.append((at, balance))  # …then the step it makes
    out.append((max(int(now.timestamp() * 1000), out[-1][0]), out[-1][1]))
    return out


class BalanceChart(QWidget):
    """The balance of one asset over time, as steps."""

    def __init__(self) -> None:
        super().__init__()
        from PySide6.QtCharts import QChart, QChartView

        self.chart = QChart()
        self.chart.legend().hide()
        self.chart.setMargins(QMargins(4, 4, 4, 4))
        self.chart.setBackgroundVisible(False)
        self.view = QChartView(self.chart)
        self.view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.view.setMinimumHeight(200)
        self.empty = plain_label(self.tr("The balance over time appears here once the wallet has receipts."))
        self.empty.setProperty("muted", True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)
        col.addWidget(self.view)
        col.addWidget(self.empty)

    def show_series(self, points: list[tuple[str, int]], decimals: int, asset: str) -> None:
        from PySide6.QtCharts import QDateTimeAxis, QLineSeries, QValueAxis

        self.chart.removeAllSeries()
        for axis in self.chart.axes():
            self.chart.removeAxis(axis)
        steps = step_points(points, datetime.now(UTC))
        self.view.setVisible(bool(steps))
        self.empty.setVisible(not steps)
        if not steps:
            return
        colors = theme.colors(theme.current())
        series = QLineSeries()
        series.setColor(colors["accent"])
        # The chart's coordinates are floats (Qt's API): for drawing only, never for an amount.
        scale = 10 ** decimals
        for ms, units in steps:
            series.append(float(ms), units / scale)
        self.chart.addSeries(series)
        x = QDateTimeAxis()
        x.setFormat("MM-dd" if steps[-1][0] - steps[0][0] > 2 * 86_400_000 else "MM-dd HH:mm")
        x.setTickCount(6)
        y = QValueAxis()
        y.setLabelFormat("%g")
        y.setTitleText(asset)
        low = min(u for _, u in steps) / scale
        top = max(u for _, u in steps) / scale
        y.setRange(min(0.0, low), top if top > 0 else 1.0)
        y.applyNiceNumbers()
        for axis in (x, y):
            axis.setLabelsColor(colors["muted"])
            axis.setGridLineColor(colors["border"])
            axis.setLinePenColor(colors["border"])
            axis.setTitleBrush(colors["muted"])
        self.chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        self.chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(x)
        series.attachAxis(y)
