"""Text identity helpers shared by storage and learning: folding, names, slugs, stable ids."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Any

_WORD = re.compile(r"[\w']+", re.UNICODE)


def fold(text: str) -> str:
    """Casefold and strip accents: 'Sofía' → 'sofia'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def normalize_name(text: str) -> str:
    """Identity form of a name: folded, punctuation to spaces, whitespace collapsed."""
    return " ".join(re.sub(r"[^\w]+", " ", fold(text)).split())


def slug(text: str) -> str:
    return normalize_name(text).replace(" ", "_")


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def stable_id(*parts: Any, prefix: str = "") -> str:
    """A short deterministic id from content, so reruns produce identical stores."""
    digest = hashlib.sha1("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:16]
    return f"{prefix}{digest}"


