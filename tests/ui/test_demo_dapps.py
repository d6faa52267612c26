"""The demo DApps fixed for issue 23, each run in a real browser engine (QtWebEngine, offscreen)
from the files its latest package holds: Joint Loan Clearing's counts, Points Exchange's form
error, Supply Chain Bills' next split, Car Loan & Mortgage's confirmation and headings, and Open
Charity's labelled project list and a balance read again when the page comes back (in the real
host, with the demo store's IA service)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QUrl
from PySide6.QtWebEngineCore import QWebEngineProfile
from PySide6.QtWebEngineWidgets import QWebEngineView
from pytestqt.qtbot import QtBot

from appstore.core import versions
from appstore.core.activity import Activity
from appstore.core.publish.source import package_files
from appstore.core.resources import DEMO_SOURCE
from appstore.ui.app import DesktopApp
from tests.pagekit import ConsolePage
from tests.ui.test_dapp_wallet import CHARITY, answer, desktop, ia, open_dapp, services  # noqa: F401
from tests.ui.test_host import LOAD_TIMEOUT, js, js_await

pytestmark = pytest.mark.qt_log_ignore(
    "QRhiGles2: Failed to create", "Failed to create RHI for backend", "GPUInfo not initialized", extend=True)


def latest_release(app_id: str) -> Path:
    releases = (DEMO_SOURCE / "apps" / app_id / "releases").iterdir()
    return max(releases, key=lambda p: versions.sort_key(p.name))


class DApp:
    """A demo DApp's latest release in its own off-the-record browser, from a file:// URL."""

    def __init__(self, qtbot: QtBot, folder: Path, app_id: str, lang: str) -> None:
        self.qtbot = qtbot
        for name, path in package_files(latest_release(app_id), DEMO_SOURCE / "common").items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, folder / name)
        self.profile = QWebEngineProfile()
        self.view = QWebEngineView()
        self.page = ConsolePage(self.profile, self.view)
        self.view.setPage(self.page)
        self.view.resize(960, 700)
        self.view.show()
        with qtbot.waitSignal(self.view.loadFinished, timeout=LOAD_TIMEOUT) as blocker:
            self.view.load(QUrl(QUrl.fromLocalFile(str(folder / "index.html")).toString() + f"?lang={lang}"))
        assert blocker.args == [True]

    def js(self, code: str) -> Any:
        return js(self.qtbot, self.page, code)

    def json(self, code: str) -> Any:
        """An array or object the page computes (they do not come back through runJavaScript)."""
        return json.loads(self.js(f"JSON.stringify({code})"))

    def text(self, element_id: str) -> str:
        return str(self.js(f"document.getElementById({element_id!r}).innerText"))

    def click(self, selector: str) -> None:
        assert self.js(f"(() => {{ document.querySelector({selector!r}).click(); return true; }})()")

    def enter(self, element_id: str, value: str, event: str = "input") -> None:
        self.js(f"(() => {{ const e = document.getElementById({element_id!r}); e.value = {value!r};"
                f" e.dispatchEvent(new Event({event!r})); }})()")

    def close(self) -> list[str]:
        problems = self.page.problems
        self.view.close()
        shiboken6.delete(self.view)  # and the page with it, before its profile
        shiboken6.delete(self.profile)
        return problems


@pytest.fixture
def dapp(qtbot: QtBot, tmp_path: Path) -> Iterator[Callable[..., DApp]]:
    made: list[DApp] = []

    def make(app_id: str, lang: str = "en") -> DApp:
        made.append(DApp(qtbot, tmp_path / f"site{len(made)}", app_id, lang))
        return made[-1]

    yield make
    problems = [p for d in made for p in d.close()]
    assert problems == []


@pytest.mark.parametrize(("lang", "none", "one", "two"), [
    ("en", "Nothing to verify yet", "Chain verified: 1 entry intact", "Chain verified: 2 entries intact"),
    ("zh_CN", "尚无可验证的记录", "验证通过：1 条记录完好", "验证通过：2 条记录完好"),
])
def test_joint_loan_counts_entries_in_words(dapp: Callable[..., DApp], qtbot: QtBot, lang: str,
                                            none: str, one: str, two: str) -> None:
    page = dapp("org.imapp.jointloan", lang)
    for repayments, expected in ((0, none), (1, one), (2, two)):
        while page.js("ledger.length") < repayments:
            js_await(qtbot, page.page, "clearRepayment(12345)")
        page.js("document.getElementById('vres').textContent = ''")
        page.click("#verify")
        qtbot.waitUntil(lambda: page.text("vres") != "", timeout=5000)
        assert page.text("vres").startswith(expected)
    assert "entries" not in one and "1 entries" not in page.text("vres")


def test_points_exchange_error_under_the_form_not_on_the_button(dapp: Callable[..., DApp]) -> None:
    page = dapp("org.imapp.pointsx")
    assert page.text("err") == "" and not page.js("document.getElementById('go').disabled")
    page.enter("pts", "999999999")
    assert page.text("err") == "Enter whole points, no more than you hold"
    assert page.js("document.getElementById('go').disabled")  # nothing to exchange until it is right
    # below the button, clear of it, and visible
    go = page.json("document.getElementById('go').getBoundingClientRect()")
    err = page.json("document.getElementById('err').getBoundingClientRect()")
    assert err["top"] >= go["bottom"] + 4 and err["height"] > 0 and err["width"] > 0
    page.enter("to", page.js("document.getElementById('from').value"))
    assert page.text("err") == "Choose two different programmes"
    page.enter("to", "1")
    page.enter("pts", "12000")
    assert page.text("err") == "" and not page.js("document.getElementById('go').disabled")


def _options(page: DApp, element_id: str) -> list[str]:
    values = page.json(f"[...document.getElementById({element_id!r}).options].map(o => o.value)")
    assert isinstance(values, list) and values
    return values


def test_bills_next_split_works_and_the_holder_is_never_offered(dapp: Callable[..., DApp]) -> None:
    page = dapp("org.imapp.bills")
    holder = page.js("bills.find(b => b.id === document.getElementById('pick').value).holder")
    assert str(holder) not in _options(page, "to")

    page.enter("amt", "300000.00")
    page.click("#go")
    assert page.text("err") == ""
    bill = page.json("bills.find(b => b.id === document.getElementById('pick').value)")
    # the part the holder kept, not the one just given away, with an amount that can be split
    assert bill["holder"] == holder and not bill["split"] and bill["parent"] == "B-0001"
    amount = page.js("parseMoney(document.getElementById('amt').value)")
    assert 0 < amount < bill["amount"]
    assert str(bill["holder"]) not in _options(page, "to")
    page.click("#go")  # the next split goes through
    assert page.text("err") == "" and page.js("bills.length") == 5 and page.js("balanced()")

    # choosing the bill given away (its whole amount still in the field) offers a valid amount
    given = page.js("bills.find(b => b.parent === 'B-0001' && b.holder !== 0).id")
    page.enter("pick", given, "change")
    given_bill = page.json(f"bills.find(b => b.id === {given!r})")
    assert 0 < page.js("parseMoney(document.getElementById('amt').value)") < given_bill["amount"]
    assert str(given_bill["holder"]) not in _options(page, "to")
    # and a page script that names the holder anyway is told why not
    page.js(f"splitBill({given!r}, 100, {given_bill['holder']})")
    assert page.text("err") == "Choose another company: this one already holds the bill"


def test_car_loan_asks_before_releasing_and_heads_every_column(dapp: Callable[..., DApp]) -> None:
    page = dapp("org.imapp.carloan")
    headings = page.json("[...document.querySelectorAll('th')].map(th => th.innerText.trim())")
    assert len(headings) == 9 and all(headings), headings  # 4 of the schedule, 5 of the register
    assert page.js("reg[0].state") == "mortgaged"

    page.click("#reg button[data-i='0']")
    assert page.js("reg[0].state") == "mortgaged"  # only asked
    assert not page.js("document.getElementById('ask').hidden")
    question = page.text("askText")
    assert "LSGKB54U8NA123456" in question and "Pearl River Bank" in question
    page.click("#no")
    assert page.js("document.getElementById('ask').hidden") and page.js("reg[0].state") == "mortgaged"

    page.click("#reg button[data-i='0']")
    page.js("document.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape'}))")
    assert page.js("document.getElementById('ask').hidden") and page.js("reg[0].state") == "mortgaged"

    page.click("#reg button[data-i='0']")
    page.click("#yes")
    page.qtbot.waitUntil(lambda: page.js("reg[0].state") == "released", timeout=5000)
    assert page.js("document.getElementById('ask').hidden")


@pytest.mark.parametrize(("lang", "label"), [("en", "Project"), ("zh_CN", "捐助项目")])
def test_charity_project_list_has_a_label(dapp: Callable[..., DApp], lang: str, label: str) -> None:
    page = dapp(CHARITY, lang)
    assert page.js("document.getElementById('proj').closest('label').innerText.trim()").startswith(label)


def test_charity_reads_the_balance_again_when_the_page_comes_back(desktop: DesktopApp,  # noqa: F811
                                                                   qtbot: QtBot) -> None:
    window = open_dapp(desktop, qtbot, CHARITY)
    page = window.page
    page.runJavaScript("connect()")
    answer(qtbot, True)
    decimals = services(desktop).wallet.decimals("IA", "demo")

    def shown() -> int | None:
        text = str(js(qtbot, page, "$('bal').textContent"))
        return int(Decimal(text.split()[0]) * 10 ** decimals) if text else None

    before = ia(desktop)
    qtbot.waitUntil(lambda: shown() == before, timeout=10000)
    # the balance changes outside the page (a reward here; a swap works the same way)
    view = desktop.controller.view
    assert view is not None
    desktop.controller.record(Activity.FORWARD, view.find(CHARITY).app)
    qtbot.waitUntil(lambda: ia(desktop) > before, timeout=10000)
    after = ia(desktop)
    assert shown() == before  # the page cannot know yet
    js(qtbot, page, "lastRead = 0; document.dispatchEvent(new Event('visibilitychange')); true")
    qtbot.waitUntil(lambda: shown() == after, timeout=10000)
    assert page.errors == []
