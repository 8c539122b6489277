"""A per-user file sandbox: Pal reads and writes inside one folder and nowhere else.

Paths are relative to the sandbox root. Absolute paths, ``..`` components and symlinks that
lead outside are refused before anything is touched, and there is no way to delete a file:
:meth:`Sandbox.delete` always refuses, writing never empties a file, and an existing file is
only replaced when the caller asks for it explicitly.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from typing import Any

from workbench.errors import ToolError

TEXT_SUFFIXES = (".md", ".txt", ".yaml", ".yml", ".json")
MAX_READ_CHARS = 20_000


class SandboxError(ToolError):
    """A file operation the sandbox does not allow (traversal, deletion, emptying)."""


class Sandbox:
    """Read, list, search and write files under ``root``.

    Args:
        root: the folder (created if missing).
    """

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def __repr__(self) -> str:
        return f"Sandbox({str(self.root)!r})"

    def resolve(self, path: str) -> Path:
        """The absolute path for ``path`` inside the sandbox; SandboxError if it escapes."""
        text = (path or "").strip().replace("\\", "/")
        pure = PurePosixPath(text)
        if pure.is_absolute() or re.match(r"^[A-Za-z]:", text) or text.startswith("~"):
            raise SandboxError(f"{path!r}: use a path relative to your files folder")
        if ".." in pure.parts:
            raise SandboxError(f"{path!r}: '..' is not allowed; paths stay inside your folder")
        target = (self.root / pure).resolve()
        if target != self.root and self.root not in target.parents:
            raise SandboxError(f"{path!r} leads outside your files folder")
        return target

    def relative(self, target: Path) -> str:
        """``target`` as the sandbox-relative POSIX path the model sees."""
        return target.relative_to(self.root).as_posix()

    def list(self, folder: str = "") -> list[str]:
        """Every file under ``folder`` (recursively), as sorted relative paths."""
        base = self.resolve(folder) if folder.strip() else self.root
        if not base.exists():
            raise SandboxError(f"no folder {folder!r}")
        if base.is_file():
            return [self.relative(base)]
        return sorted(self.relative(p) for p in base.rglob("*")
                      if p.is_file() and self.root in p.resolve().parents)

    def read(self, path: str) -> str:
        """A file's text (truncated to MAX_READ_CHARS)."""
        target = self.resolve(path)
        if not target.is_file():
            hint = [p for p in self.list() if Path(p).name.casefold() == Path(path).name.casefold()]
            extra = f" Did you mean {hint[0]!r}?" if hint else ""
            raise SandboxError(f"no file {path!r}.{extra}")
        text = target.read_text(encoding="utf-8", errors="replace")
        return text if len(text) <= MAX_READ_CHARS else text[:MAX_READ_CHARS] + "\n[truncated]"

    def search(self, query: str, *, limit: int = 10) -> list[dict[str, Any]]:
        """Text files whose lines contain query words, best first, with the matching lines."""
        terms = [w for w in re.findall(r"\w+", query.casefold()) if len(w) > 2]
        if not terms:
            return []
        hits = []
        for rel in self.list():
            if not rel.endswith(TEXT_SUFFIXES):
                continue
            text = (self.root / rel).read_text(encoding="utf-8", errors="replace")
            haystack = (rel + "\n" + text).casefold()
            score = sum(1 for t in terms if t in haystack)
            if not score:
                continue
            lines = [line.strip() for line in text.splitlines()
                     if line.strip() and any(t in line.casefold() for t in terms)]
            hits.append({"path": rel, "score": score, "lines": lines[:4]})
        hits.sort(key=lambda h: (-h["score"], h["path"]))
        return hits[:limit]

    def write(self, path: str, content: str, *, overwrite: bool = False) -> str:
        """Write a text file; refuses to empty a file or to replace one unless ``overwrite``."""
        target = self.resolve(path)
        if target == self.root or not target.suffix:
            raise SandboxError(f"{path!r}: give a file name with an extension")
        if not content.strip():
            raise SandboxError("refusing to write an empty file (files are never emptied)")
        if target.exists() and not overwrite:
            raise SandboxError(f"{path!r} already exists; pass overwrite=true to replace it")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
        return self.relative(target)

    def delete(self, path: str) -> None:
        """Always refuses: Pal never deletes a file (propose a move or a rename instead)."""
        self.resolve(path)
        raise SandboxError("deleting files is disabled; propose a move or a rename instead")
