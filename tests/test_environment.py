"""The test machine has what the product relies on: a real Secret Service keyring (the wallet
keeps its seed there) and fonts for Latin and Chinese text."""

import os
import secrets
import subprocess

import keyring
import pytest


def test_secret_service_keyring_round_trip() -> None:
    backend = keyring.get_keyring()
    if "SecretService" not in type(backend).__module__ + type(backend).__name__:
        if os.environ.get("IMAPP_REQUIRE_KEYRING") == "1":
            pytest.fail(f"no Secret Service keyring (got {backend!r}): run the tests with `make test`")
        pytest.skip("no Secret Service here; `make test` starts one")
    service, user = "imapp-test", f"probe-{secrets.token_hex(4)}"
    secret = secrets.token_hex(16)
    keyring.set_password(service, user, secret)
    try:
        assert keyring.get_password(service, user) == secret
    finally:
        keyring.delete_password(service, user)
    assert keyring.get_password(service, user) is None


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_fonts_cover_the_languages(lang: str) -> None:
    out = subprocess.run(["fc-list", f":lang={lang}", "family"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip(), f"no font for {lang}: run `make test` as root"
