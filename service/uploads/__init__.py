"""Checks of uploaded files (photos, scan archives) and their storage by content hash."""

from __future__ import annotations

from service.uploads.archive import ArchiveInfo, check_archive
from service.uploads.blobs import BlobStore
from service.uploads.photo import (
    ImageInfo,
    PhotoCheck,
    check_graduation_photo,
    check_identity_photo,
    inspect_image,
    sniff_format,
)

__all__ = [
    "ArchiveInfo",
    "BlobStore",
    "ImageInfo",
    "PhotoCheck",
    "check_archive",
    "check_graduation_photo",
    "check_identity_photo",
    "inspect_image",
    "sniff_format",
]
