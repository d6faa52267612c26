"""The path from a catalogue entry to an installed app, through a real served store: the store
removed and trusted again, and a removal that happens while an install runs."""

from pathlib import Path

from appstore.core.services import Services
from tests.conftest import Published


def test_removing_and_trusting_a_store_again_brings_back_its_updates(served: Published,
                                                                     data_dir: Path) -> None:
    services = Services.open(str(data_dir), demo=False)
    services.add_store([served.url], served.result.root_sha256)
    alpha = services.load_catalog()[0].find("org.test.alpha").app
    installed = services.installs.install(alpha)
    assert installed.version == "1.0.0" and not installed.store_gone

    services.remove_store("teststore")
    gone = services.installs.library.get("teststore", "org.test.alpha")
    assert gone is not None and gone.store_gone  # still installed, no updates
    assert services.installs.library.entry_path(gone).is_file()  # and still usable

    services.add_store([served.url], served.result.root_sha256)
    back = services.installs.library.get("teststore", "org.test.alpha")
    assert back is not None and not back.store_gone
    services.close()


def test_the_download_activity_of_an_install_is_recorded_once(served: Published, data_dir: Path) -> None:
    services = Services.open(str(data_dir), demo=False)
    services.add_store([served.url], served.result.root_sha256)
    alpha = services.load_catalog()[0].find("org.test.alpha").app
    services.installs.install(alpha)
    services.installs.install(alpha)  # a reinstall of the same version earns nothing more
    kinds = [(e.kind.value, e.app_id) for e in services.activity.events()]
    assert kinds == [("download", "org.test.alpha")]
    services.close()
