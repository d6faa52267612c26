"""``update`` as a real process when a new version asks for more permissions (docs/cli.md): it
is skipped with a warning and listed under ``waiting`` until ``--accept-permissions``; the other
updates go as before."""

import json
from pathlib import Path

from tests.conftest import Published
from tests.e2e.test_cli import cli
from tests.storekit import add_release

ALPHA, BETA = "teststore/org.test.alpha", "teststore/org.test.beta"


def versions(data: Path) -> dict[str, str]:
    return {r["id"]: r["version"] for r in json.loads(cli("installed", "--json", data=data).stdout)}


def test_update_skips_what_asks_for_more_until_accepted(served: Published, data_dir: Path) -> None:
    cli("store", "add", served.url, "--root-sha256", served.result.root_sha256, data=data_dir)
    cli("install", "org.test.alpha", data=data_dir)
    cli("install", "org.test.beta", data=data_dir)
    add_release(served.src, "org.test.alpha", "2.0.0", ["storage", "network", "clipboard", "wallet.sign"])
    add_release(served.src, "org.test.beta", "2.0.0")
    served.republish()
    cli("store", "refresh", data=data_dir)

    ups = {u["id"]: u for u in json.loads(cli("updates", "--json", data=data_dir).stdout)}
    assert ups[ALPHA]["asks_for"] == ["network", "clipboard", "wallet.sign"]
    assert ups[BETA]["asks_for"] == []
    text = cli("updates", data=data_dir).stdout
    assert f"{ALPHA}\t1.0.0 → 2.0.0\twaits: asks for more: internet access, clipboard, signing with " \
           "your wallet" in text

    # Update all: beta is updated, alpha waits, and that is not a failure
    out = cli("update", "--all", data=data_dir)
    assert out.stdout.splitlines() == [f"updated {BETA} 1.0.0 → 2.0.0"]
    [note] = [line for line in out.stderr.splitlines() if ALPHA in line]
    assert note == (f"warning: {ALPHA} 1.0.0 → 2.0.0 waits for your consent: it asks for more: "
                    "internet access, clipboard, signing with your wallet; "
                    f"`update {ALPHA} --accept-permissions` accepts them and updates it")
    assert versions(data_dir) == {ALPHA: "1.0.0", BETA: "2.0.0"}

    # the same in JSON, and in Chinese words
    out = cli("--lang", "zh_CN", "update", "--all", "--json", data=data_dir)
    assert json.loads(out.stdout) == {"updated": [], "failed": [], "waiting": [
        {"id": ALPHA, "app_id": "org.test.alpha", "store": "teststore", "installed": "1.0.0",
         "version": "2.0.0", "asks_for": ["network", "clipboard", "wallet.sign"]}]}
    assert "联网、剪贴板、钱包签名" in out.stderr
    # naming it is not consent either
    cli("update", "org.test.alpha", data=data_dir)
    refused = cli("install", "org.test.alpha", data=data_dir, check=False)
    assert refused.returncode == 1 and refused.stderr.count("\n") == 1
    assert refused.stderr.startswith(f"error: {ALPHA} 2.0.0 asks for more than you accepted: internet "
                                     "access, clipboard, signing with your wallet; add --accept-permissions")
    assert versions(data_dir)[ALPHA] == "1.0.0"

    out = cli("update", "org.test.alpha", "--accept-permissions", "--json", data=data_dir)
    assert json.loads(out.stdout) == {"updated": [
        {"id": ALPHA, "app_id": "org.test.alpha", "store": "teststore", "previous": "1.0.0",
         "version": "2.0.0"}], "failed": [], "waiting": []}
    assert versions(data_dir) == {ALPHA: "2.0.0", BETA: "2.0.0"}
    assert json.loads(cli("updates", "--json", data=data_dir).stdout) == []
    assert cli("update", "--all", data=data_dir).stdout == "all apps are up to date\n"
