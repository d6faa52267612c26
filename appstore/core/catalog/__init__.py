"""The catalogue: apps, releases, parsing of the signed index, and search."""

from appstore.core.catalog.models import App, Catalog, Release, localized

__all__ = ["App", "Catalog", "Release", "localized"]
