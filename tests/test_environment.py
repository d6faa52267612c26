"""Set-up checks of the test machine itself, not of imapp: it has a working Secret Service
keyring (for tests that need one; `make test` starts it) and fonts for Latin and Chinese text."""

import os
import secrets
import subprocess

import keyring
import pytest


def test_machine_has_a_working_secret_service_keyring() -> None:
    """The test machine's keyring stores, returns and deletes a throw-away secret."""
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
