"""The core's messages in Chinese: every message the core raises (outside the publisher, which
only the CLI runs) has a translation with the same values, written in Chinese; real errors from
real code come out whole in Chinese, with their values (paths, ids, nested messages) in place;
English stays the code's own words."""

from __future__ import annotations

import json
import re
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from appstore.core import messages
from appstore.core.errors import AppStoreError, NotFound
from appstore.core.paths import Paths
from appstore.core.resources import RESOURCES
from appstore.core.store.config import check_store_url
from appstore.core.wallet.amounts import parse_amount
from appstore.core.wallet.errors import WalletLocked
from appstore.core.wallet.seedstore import SeedStore
from tests.messagekit import templates_in
from tests.seedkit import MemoryKeyring

CORE = Path(messages.__file__).parent
CATALOGUE = json.loads((RESOURCES / "translations" / "messages_zh_CN.json").read_text("utf-8"))
CJK = re.compile(r"[\u4e00-\u9fff]")
# words a Chinese message keeps as they are: names, formats, units, and what the user types
KEPT = {"IA", "BCD", "imapp", "DApp", "JSON", "HTTP", "RSS", "Atom", "XML", "PNG", "JPEG", "GIF",
        "WebP", "SHA", "sha", "UTF", "MiB", "KiB", "MB", "HOME", "BIP", "ECDSA", "DER", "UTC",
        "ID", "http", "https", "file", "secp", "STORE", "ROUND", "APP", "ia", "request", "dapp",
        "message", "payload", "service", "public", "key", "service_key", "prev_hash", "op", "ev",
        "permissions", "expires", "metadata", "root", "json", "main", "py", "desktop", "docs",
        "md", "path", "to", "feed", "xml", "data", "dir", "the", "policy", "services",
        "public_key", "id", "uuid", "kind", "app", "time", "version", "seconds", "amount", "zip",
        "Windows", "CON", "NUL", "COM", "query", "fragment", "host", "PORT", "store", "page",
        "example", "org", "user", "localhost"}


def english_words(text: str) -> list[str]:
    """Words of English left in ``text``, outside values, commands and the kept names."""
    text = re.sub(r"\w+://\S+|\{\d+\}|`[^`]*`|\$\{?\w+\}?|--[\w-]+|\w+(?:[./:-]\w+)+", " ", text)
    return [w for w in re.findall(r"[A-Za-z_]{3,}", text) if w not in KEPT]


def test_every_message_the_core_raises_is_translated() -> None:
    found = dict(templates_in(CORE, skip=("publish",)))
    assert len(found) > 250  # the extraction finds the core's messages at all
    missing = {t: where for t, where in found.items() if t not in CATALOGUE}
    assert not missing, "translate these in messages_zh_CN.json:\n" + "\n".join(
        f"{where}: {t}" for t, where in missing.items())


@pytest.mark.parametrize("english", sorted(CATALOGUE))
def test_a_translation_keeps_the_values_and_is_chinese(english: str) -> None:
    chinese = CATALOGUE[english]
    assert sorted(re.findall(r"\{\d+\}", chinese)) == sorted(re.findall(r"\{\d+\}", english))
    if len(english_words(english)) > 1:  # a sentence, not a unit or a name
        assert CJK.search(chinese), chinese
        assert not english_words(chinese), chinese


def test_the_keyring_that_is_gone_in_chinese(keep_keyring: None, tmp_path: Path) -> None:
    paths = Paths(tmp_path / "data")
    paths.ensure()
    keyring.set_keyring(MemoryKeyring())
    SeedStore(paths, env={}).create()  # kept in the keyring
    keyring.set_keyring(fail.Keyring())  # which is not there at the next start
    with pytest.raises(WalletLocked) as caught:
        SeedStore(paths, env={}).load()
    said = messages.error_text(caught.value, "zh_CN")
    assert said == ("这个钱包保存在系统钥匙环中，而钥匙环现在不可用（没有可用的钥匙环服务）；"
                    "请启动或解锁钥匙环后重试：钱包仍然完好")
    assert messages.error_text(caught.value, "en") == str(caught.value)


def test_values_stay_and_nested_messages_are_translated() -> None:
    with pytest.raises(AppStoreError) as caught:
        parse_amount("1.123456789", 8, unit="IA")
    assert messages.error_text(caught.value, "zh_CN") == "IA 最多 8 位小数（这个金额有 9 位）"
    with pytest.raises(AppStoreError) as caught:
        check_store_url("ftp://example.org/store")
    said = messages.error_text(caught.value, "zh_CN")
    assert CJK.search(said) and "ftp://example.org/store" in said and not english_words(said)
    inner = NotFound("no app org.x.y in any store (try `search` to find its id)")
    outer = AppStoreError(f"the demo store could not be updated ({inner}); the other stores are "
                          "not affected").at("demo")
    assert messages.error_text(outer, "zh_CN") == (
        "demo：演示商店无法更新（所有商店中都没有应用 org.x.y（用 `search` 查找它的 ID））；其他商店不受影响")


def test_unknown_text_and_os_errors() -> None:
    assert messages.translate("a message from someone else's server", "zh_CN") == \
        "a message from someone else's server"
    assert messages.translate("the wallet file is locked", "en") == "the wallet file is locked"
    err = FileNotFoundError(2, "No such file or directory", "/tmp/x")
    assert messages.os_error(err, "zh_CN") == "/tmp/x: 没有这个文件或文件夹"
    assert messages.os_error(err, "en") == "/tmp/x: No such file or directory"
