"""Uploaded files kept outside the database, addressed by their SHA-256.

Photos and scan archives are personal data of some megabytes each; the database
keeps only the hash.  The hash is the name, so the same upload is stored once,
and a stored file never changes: a reader sees either nothing or the whole file,
because each file is written to a temporary name, flushed to disk and then
renamed into place.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from service.errors import N_, InvalidInput, Msg, NotFound

_DIGEST = re.compile(r"[0-9a-f]{64}")
_TEMP_PREFIX = ".tmp-"  # leftovers of a crash are recognisable and never a digest


class BlobStore:
    """Content-addressed files under ``root``: ``root/ab/cd/abcd…`` (64 hex digits)."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def put(self, data: bytes) -> str:
        """Store ``data`` (once) and return its lowercase hex SHA-256."""
        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        if target.is_file():
            return digest
        target.parent.mkdir(parents=True, exist_ok=True)
        _write_atomically(target, data)
        # Make the new directory entries durable too, up to the store's root.
        for directory in (target.parent, target.parent.parent, self.root):
            _fsync_directory(directory)
        return digest

    def get(self, sha: str) -> bytes:
        try:
            return self.path(sha).read_bytes()
        except FileNotFoundError:
            raise NotFound(Msg("no stored file %(sha)s", sha=sha), fields={"sha256": [N_("not found")]}) from None

    def exists(self, sha: str) -> bool:
        return self.path(sha).is_file()

    def files(self):
        """(digest, path) of every stored file."""
        if not self.root.is_dir():
            return
        for path in sorted(self.root.glob("??/??/*")):
            if _DIGEST.fullmatch(path.name) and path.parent.parent.name == path.name[:2] \
                    and path.parent.name == path.name[2:4] and path.is_file():
                yield path.name, path

    def leftovers(self):
        """Temporary files a crash left between writing and renaming."""
        if self.root.is_dir():
            yield from sorted(self.root.glob(f"??/??/{_TEMP_PREFIX}*"))

    def path(self, sha: str) -> Path:
        """Where ``sha`` lives; only a well-formed digest can name a path under root."""
        if not isinstance(sha, str) or not _DIGEST.fullmatch(sha):
            message = "must be a SHA-256 digest: 64 lowercase hexadecimal digits"
            raise InvalidInput(Msg("invalid blob id: %(problem)s", problem=message), fields={"sha256": [message]})
        return self.root / sha[:2] / sha[2:4] / sha


def _write_atomically(target: Path, data: bytes) -> None:
    # The temporary file sits in the target's own directory so that os.replace
    # is a rename within one file system, which is atomic.
    fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=_TEMP_PREFIX)
    try:
        with os.fdopen(fd, "wb") as temp:
            temp.write(data)
            temp.flush()
            os.fsync(temp.fileno())
        os.replace(temp_name, target)
    except BaseException:
        _remove_quietly(temp_name)
        raise


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_quietly(name: str) -> None:
    try:
        os.unlink(name)
    except FileNotFoundError:
        pass
