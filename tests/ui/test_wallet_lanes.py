"""A claim round runs on its own writer lane (``claims``), so what the user asks of the wallet
does not wait behind a slow service: two real stores with real IA services behind holding
proxies; while store A's service holds the round's claims, a payment in store B (a wallet-lane
job, as a DApp's payment is) is answered and the Wallet page's data is read again. Then the round
ends and A's claim is credited once."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from appstore.core.activity import Activity
from appstore.core.services import Services
from appstore.ui.controller import Controller
from appstore.ui.wallet import WalletController
from tests.core.test_rewards_locks import HELD, PASSPHRASE, PAYEE, serve
from tests.lanekit import off_lane

WAIT = 60_000  # ms a wait may take before the test calls it stuck (never a speed check)


def test_a_payment_is_answered_while_a_claim_round_waits_for_a_slow_service(
        qtbot: QtBot, tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMAPP_WALLET_PASSPHRASE", PASSPHRASE)
    a, b = serve(tmp_path / "a", "storea"), serve(tmp_path / "b", "storeb")
    controller = None
    try:
        setup = Services.open(str(data_dir), demo=False)  # the stores added, IA earned in store B
        try:
            for s in (a, b):
                setup.add_store([s.files.base + "/"], s.root_sha256)
            setup.activity.record(Activity.DOWNLOAD, b.store_id, b.app)
            with off_lane():  # the test's own claim round, as a script's
                assert len(setup.rewards.claim().credits) == 1
            held = setup.activity.record(Activity.DOWNLOAD, a.store_id, a.app)
        finally:
            setup.close()
        a.ia.set("/v1/claims", forward=True, hold=HELD)

        controller = Controller(str(data_dir))
        wallet = WalletController(controller)
        controller.start()
        qtbot.waitUntil(lambda: controller.services is not None, timeout=WAIT)
        services = controller.services
        assert services is not None
        wallet.claim()
        qtbot.waitUntil(a.ia.arrived.is_set, timeout=WAIT)  # the round waits for store A's answer

        paid: list[object] = []
        controller.jobs.submit(lambda ctx: services.rewards.pay(b.store_id, PAYEE, 1, "thanks", b.app),
                               lane="wallet", title="a DApp's payment", on_done=paid.append)
        qtbot.waitUntil(lambda: bool(paid), timeout=WAIT)
        with qtbot.waitSignal(wallet.changed, timeout=WAIT):
            wallet.load(create=False)
        assert wallet._claiming is not None and a.ia.requests("/v1/claims")[-1].status == 0  # still held

        a.ia.release.set()
        qtbot.waitUntil(lambda: wallet._claiming is None, timeout=WAIT)
        ledger = services.wallet.ledger
        assert ledger.history(kind="payment", service=b.store_id, limit=10) == paid
        rewards = ledger.history(kind="reward", service=a.store_id, limit=10)
        assert len(rewards) == 1 and rewards[0].reference.endswith("#" + held.id)
        assert ledger.pending() == []
    finally:
        a.ia.release.set()
        if controller is not None:
            assert controller.shutdown()
        a.close()
        b.close()
