"""The old-plan cards' scans, one member of the stored archive at a time, for the page beside the cards.

ZIP members are read in memory (the archive passed the upload's size, ratio and member checks
when it was stored); RAR cannot be unpacked without unrar, so its scans are listed by name and
the archive itself is offered for download.  Only JPEG and PNG are shown as images, by their
content, never by their name.
"""
from __future__ import annotations

import io
import zipfile

from service.errors import NotFound
from service.uploads.photo import sniff_format

MAX_SCAN_BYTES = 20 * 1024 * 1024
IMAGE_TYPES = {"jpeg": "image/jpeg", "png": "image/png"}


def _files(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    # the stored member list is the archive's files in order, directories left out (uploads/archive.py)
    return [i for i in archive.infolist() if not i.is_dir()]


def shown(data: bytes, fmt: str) -> list[int]:
    """Positions (0-based) of the members shown as images; none for a RAR."""
    if fmt != "zip":
        return []
    out = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for n, info in enumerate(_files(archive)):
            if info.file_size <= MAX_SCAN_BYTES:
                with archive.open(info) as member:
                    if sniff_format(member.read(16)) in IMAGE_TYPES:
                        out.append(n)
    return out


def member(data: bytes, fmt: str, position: int) -> tuple[bytes, str]:
    """(bytes, mimetype) of the member at ``position`` when it is a JPEG or PNG scan."""
    if fmt == "zip":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            files = _files(archive)
            if 0 <= position < len(files) and files[position].file_size <= MAX_SCAN_BYTES:
                content = archive.read(files[position])
                kind = sniff_format(content)
                if kind in IMAGE_TYPES:
                    return content, IMAGE_TYPES[kind]
    raise NotFound(f"no scan image {position + 1} in this archive")
