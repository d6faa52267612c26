"""imapp desktop: a desktop store for DApps served from signed (TUF) stores."""

__version__ = "0.1.0"
