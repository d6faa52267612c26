"""A real Secret Service (gnome-keyring in its own D-Bus session, its own home) whose collection
is locked: showing the address never makes the keyring prompt (the quiet read leaves the
collection alone and says the address is not confirmed), while reading the words for a
signature asks the keyring to unlock. The prompt is what secretstorage's ``Collection.unlock``
starts; the script records the calls to it (and refuses them, as a user dismissing it)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r'''
import sys
import keyring
import secretstorage
import secretstorage.collection
from secretstorage.exceptions import PromptDismissedException

from appstore.core.paths import Paths
from appstore.core.wallet.errors import WalletLocked
from appstore.core.wallet.keys import Account
from appstore.core.wallet.seedstore import SeedStore
from appstore.core.wallet.wallet import Wallet

backend = keyring.get_keyring()
assert "SecretService" in type(backend).__module__ or "SecretService" in repr(backend), backend
paths = Paths.resolve(sys.argv[1])
paths.ensure()
address = Account.from_words(SeedStore(paths, env={}).create()).address
prompts = []

def unlock(self, *args, **kwargs):
    prompts.append("unlock")
    raise PromptDismissedException("dismissed (the test)")

secretstorage.collection.Collection.unlock = unlock
with secretstorage.dbus_init() as bus:
    collection = secretstorage.get_default_collection(bus)
    collection.lock()
    assert collection.is_locked()
assert SeedStore(paths, env={}).load_quietly() is None
info = Wallet(paths, seeds=SeedStore(paths, env={})).address_info()
assert (info.address, info.source) == (address, "marker"), info
assert prompts == [], prompts  # showing the address asked nobody
try:
    SeedStore(paths, env={}).load()
except WalletLocked as e:
    assert "unlock" in str(e), e
else:
    raise AssertionError("a locked keyring gave the words")
assert prompts == ["unlock"], prompts  # a signature asks the keyring to unlock
print("ok")
'''


def test_a_locked_secret_service_is_not_prompted_to_show_the_address(tmp_path: Path) -> None:
    missing = [t for t in ("dbus-run-session", "gnome-keyring-daemon") if shutil.which(t) is None]
    if missing:
        if os.environ.get("IMAPP_REQUIRE_KEYRING") == "1":
            pytest.fail(f"{', '.join(missing)} missing: run scripts/setup.sh as root")
        pytest.skip(f"{', '.join(missing)} missing (Debian dbus-bin, gnome-keyring)")
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items()
           if k not in ("DBUS_SESSION_BUS_ADDRESS", "GNOME_KEYRING_CONTROL", "PYTHON_KEYRING_BACKEND",
                        "IMAPP_WALLET_PASSPHRASE")}
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / "share"), XDG_CONFIG_HOME=str(home / "config"))
    inner = ('eval "$(printf pw | gnome-keyring-daemon --unlock --components=secrets)"; '
             'export GNOME_KEYRING_CONTROL; exec "$0" -c "$1" "$2"')
    proc = subprocess.run(["dbus-run-session", "--", "bash", "-c", inner, sys.executable, SCRIPT,
                           str(tmp_path / "data")], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0 and proc.stdout.strip().endswith("ok"), proc.stderr[-3000:]
