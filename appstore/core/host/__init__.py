"""The DApp host's rules, without Qt (docs/host.md): origins and where each DApp's web data lives
(``origins``), which file a request may be served (``files``), and what a DApp may do
(``policy``). ``appstore/ui/host`` enforces them with QtWebEngine."""

from appstore.core.host.files import MAX_INLINE, NotServed, Served, mime_type, open_served, resolve
from appstore.core.host.origins import (
    SCHEME,
    HostError,
    cache_dir,
    dapp_host,
    dapp_key,
    dapp_origin,
    origin_of,
    storage_dir,
    storage_name,
    web_dir,
)
from appstore.core.host.policy import (
    ASKABLE,
    DAppIdentity,
    DAppPolicy,
    Decision,
    Feature,
    Kind,
    Nav,
    display_url,
    external_target,
    installed_identity,
    link_identity,
)

__all__ = [
    "ASKABLE", "MAX_INLINE", "SCHEME", "DAppIdentity", "DAppPolicy", "Decision", "Feature",
    "HostError", "Kind", "Nav", "NotServed", "Served", "cache_dir", "dapp_host", "dapp_key",
    "dapp_origin", "display_url", "external_target", "installed_identity", "link_identity",
    "mime_type", "open_served", "origin_of", "resolve", "storage_dir", "storage_name", "web_dir",
]
