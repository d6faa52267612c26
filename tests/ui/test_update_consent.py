"""The GUI when an update asks for more permissions (issue 21): the Library's note and Update
all (which updates the rest), the card's note and button, the app page's note and the consent
dialog (Cancel changes nothing, Accept installs it), on a real served store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from appstore.core.services import Services
from appstore.ui.app import DesktopApp
from appstore.ui.consent import ConsentDialog
from appstore.ui.installs import Phase
from appstore.ui.librarypage import LibraryRow
from appstore.ui.models import Roles
from tests.conftest import Published
from tests.storekit import add_release
from tests.ui.conftest import idle, make_desktop

ALPHA, BETA = "teststore/org.test.alpha", "teststore/org.test.beta"


@pytest.fixture
def desktop(qtbot: QtBot, data: Path, served: Published,
            monkeypatch: pytest.MonkeyPatch) -> Iterator[DesktopApp]:
    """Alpha and Beta 1.0.0 installed from a test store; then 2.0.0 of both published, Alpha's
    asking for the internet, the clipboard and the wallet too."""
    # (an install earns IA: the wallet made for it must not wait for a passphrase typed in)
    monkeypatch.setenv("IMAPP_WALLET_PASSPHRASE", "a passphrase for the tests")
    services = Services.open(str(data))
    services.add_store([served.url], served.result.root_sha256)
    view = services.load_catalog()[0]
    for ref in (ALPHA, BETA):
        services.installs.install(view.find(ref).app)
    services.close()
    add_release(served.src, "org.test.alpha", "2.0.0", ["storage", "network", "clipboard", "wallet.sign"])
    add_release(served.src, "org.test.beta", "2.0.0")
    served.republish()
    d = make_desktop(qtbot, data)
    qtbot.waitUntil(lambda: {ALPHA, BETA} <= set(d.installs.updates), timeout=30000)
    yield d
    d.window.close()
    d.controller.shutdown()  # the last claims are sent while the passphrase is still set


def phase(desktop: DesktopApp, ref: str) -> Phase:
    view = desktop.controller.view
    assert view is not None
    return desktop.installs.state(view.find(ref).app).phase


def version(desktop: DesktopApp, ref: str) -> str:
    return desktop.installs.installed[ref].version


def test_update_all_updates_the_rest_and_says_which_wait(desktop: DesktopApp, qtbot: QtBot) -> None:
    w = desktop.window
    w.show_page("library")
    page = w.library_page
    rows = {r.installed.id: r for r in page.findChildren(LibraryRow)}
    assert rows[ALPHA].update_button.text() == "Review update"
    assert rows[ALPHA].asks.text() == ("Update (asks for more: internet access, clipboard, signing "
                                       "with your wallet)")
    assert rows[BETA].update_button.text() == "Update to 2.0.0" and not rows[BETA].asks.isVisibleTo(page)
    assert page.waiting.text() == "1 update waits for your consent: Alpha. Review it to update it."

    page.update_all.click()
    qtbot.waitUntil(lambda: version(desktop, BETA) == "2.0.0", timeout=30000)
    qtbot.waitUntil(lambda: ALPHA in desktop.installs.updates and BETA not in desktop.installs.updates,
                    timeout=10000)
    assert version(desktop, ALPHA) == "1.0.0" and phase(desktop, ALPHA) is Phase.UPDATE
    assert page.waiting.isVisibleTo(page) and "Alpha" in page.waiting.text()
    assert not page.update_all.isVisibleTo(page)  # nothing left that it would update
    assert desktop.installs.items == {}  # nothing was downloaded for Alpha


def test_the_card_and_the_app_page_lead_to_consent(desktop: DesktopApp, qtbot: QtBot) -> None:
    w = desktop.window
    model = w.model
    cards = {model.index(r, 0).data(Roles.APP).id: model.index(r, 0) for r in range(model.rowCount())}
    card = cards["org.test.alpha"]
    assert card.data(Roles.ACTION) == "Review" and card.data(Roles.NOTE) == "Update asks for more"
    beta = cards["org.test.beta"]
    assert beta.data(Roles.ACTION) == "Update" and beta.data(Roles.NOTE) == ""

    view = desktop.controller.view
    assert view is not None
    desktop.installs.act(view.find(ALPHA).app)  # the card's button: to the page, not an install
    assert w.current_page() == f"app:{card.data(Roles.REF)}"
    actions = w.app_page.app_actions
    assert actions.primary.text() == "Review and update"
    assert actions.asks.text() == ("Update (asks for more: internet access, clipboard, signing with "
                                   "your wallet)")

    actions.primary.click()  # Cancel: nothing recorded, nothing installed
    dialog = actions.consent
    assert isinstance(dialog, ConsentDialog) and dialog.isVisible()
    assert [r.text() for r in dialog.rows] == ["•  Connect to the internet", "•  Copy text to your clipboard",
                                               "•  Ask you to sign messages with your wallet (you confirm "
                                               "each one)"]
    dialog.cancel_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    idle(qtbot, desktop.controller.jobs)  # an install the cancel set going would be seen now
    assert phase(desktop, ALPHA) is Phase.UPDATE and desktop.installs.items == {}
    assert desktop.installs.installed[ALPHA].accepted == ("storage",)

    actions.primary.click()  # Accept: recorded, downloaded, installed
    dialog = actions.consent
    assert dialog is not None
    dialog.accept_button.click()
    qtbot.waitUntil(lambda: version(desktop, ALPHA) == "2.0.0", timeout=30000)
    qtbot.waitUntil(lambda: phase(desktop, ALPHA) is Phase.INSTALLED, timeout=10000)
    installed = desktop.installs.installed[ALPHA]
    assert installed.permissions == ("storage", "network", "clipboard", "wallet.sign")
    assert set(installed.accepted) == {"storage", "network", "clipboard", "wallet.sign"}
    assert actions.primary.text() == "Open" and not actions.asks.isVisibleTo(actions)
