"""ChromaDB client factory: embedded files by default, a server when a URL is configured."""

from __future__ import annotations

import threading
from pathlib import Path
from urllib.parse import urlparse

from workbench.errors import ConfigError, StoreError

_CLIENTS: dict[str, object] = {}
_LOCK = threading.Lock()


def _settings():
    import chromadb

    # Telemetry would try the network; reset lets tests and wiped controls empty a store.
    return chromadb.Settings(anonymized_telemetry=False, allow_reset=True)


def open_client(path: str | Path | None = None, *, url: str | None = None):
    """Return a ChromaDB client: ``HttpClient`` for ``url``, else ``PersistentClient(path)``.

    Clients are cached per path/URL, because ChromaDB refuses two clients with different
    settings for one path in a process.
    """
    import chromadb

    if url:
        key = f"url:{url}"
        parsed = urlparse(url if "://" in url else f"http://{url}")
        if not parsed.hostname:
            raise ConfigError(f"cannot read a host from the ChromaDB URL {url!r}")
        with _LOCK:
            if key not in _CLIENTS:
                try:
                    _CLIENTS[key] = chromadb.HttpClient(
                        host=parsed.hostname, port=parsed.port or 8000,
                        ssl=parsed.scheme == "https", settings=_settings())
                except Exception as exc:
                    raise StoreError(f"cannot reach the ChromaDB server at {url}: {exc}") from exc
            return _CLIENTS[key]
    if path is None:
        raise ConfigError("open_client needs a path or a url")
    resolved = Path(path).expanduser().resolve()
    resolved.mkdir(parents=True, exist_ok=True)
    key = f"path:{resolved}"
    with _LOCK:
        if key not in _CLIENTS:
            _CLIENTS[key] = chromadb.PersistentClient(path=str(resolved), settings=_settings())
        return _CLIENTS[key]


def forget_client(path: str | Path) -> None:
    """Drop a cached client (tests that simulate a new process reopen the files)."""
    from chromadb.api.shared_system_client import SharedSystemClient

    key = f"path:{Path(path).expanduser().resolve()}"
    with _LOCK:
        _CLIENTS.pop(key, None)
    SharedSystemClient.clear_system_cache()
