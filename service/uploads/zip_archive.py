"""The ZIP reader of the scan-archive check: every member decompressed in memory, under a running counter."""

from __future__ import annotations

import io
import struct
import zipfile
from typing import IO

from service.errors import InvalidInput
from service.uploads.archive import CapExceeded, Entry, Limits, check_entries, encrypted_message, too_many, unix_kind
from service.uploads.limits import invalid
from service.uploads.photo import sniff_format

_CHUNK = 64 * 1024
_HEAD = 1024  # enough to recognise a scan, including PDFs with leading junk

_ZIP_EOCD = b"PK\x05\x06"
_ZIP_EOCD_SIZE = 22
_ZIP_MAX_COMMENT = 1 << 16
_ZIP_CENTRAL = b"PK\x01\x02"
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP_FLAG_ENCRYPTED = 0x0001
_ZIP_FLAG_STRONG_ENCRYPTION = 0x0040
_ZIP_FLAG_UTF8 = 0x0800
_UNIX = 3  # ZipInfo.create_system of an archive made on Unix: external_attr holds a mode
# the methods zipfile can decompress; others (Deflate64, PPMd …) are refused before anything is read
_ZIP_METHODS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA})


def check_zip(data: bytes, *, field: str, limits: Limits) -> tuple[dict[str, str | None], int]:
    """Each file member's real type (None: not recognised) and the declared unpacked total."""
    # zipfile builds an object per central-directory entry before we can count
    # them: 20 MB of empty entries costs seconds and >100 MB, so bound it first.
    if _zip_entry_upper_bound(data) > limits.members:
        raise too_many(field, limits.members)
    archive = _open_zip(data, field=field)
    with archive:
        infos = archive.infolist()
        entries = [_zip_entry(info) for info in infos]
        check_entries(entries, field=field, limits=limits)
        _refuse_encrypted_zip(infos, field=field)
        _refuse_unknown_methods(infos, field=field)
        kinds = _stream_zip_members(archive, infos, field=field, limits=limits)
    return kinds, sum(e.size for e in entries)


def _zip_entry_upper_bound(data: bytes) -> int:
    """Central-directory signatures in the region zipfile will parse (an upper bound)."""
    eocd = _find_zip_eocd(data)
    if eocd < 0:
        return 0  # zipfile refuses it in a moment
    (cd_size,) = struct.unpack_from("<I", data, eocd + 12)
    zip64 = eocd >= 20 and data[eocd - 20 : eocd - 16] == _ZIP64_LOCATOR
    # zipfile reads the directory from (end record - its size); with ZIP64 the
    # size comes from another record, so count over everything before the end.
    start = 0 if zip64 or cd_size == 0xFFFFFFFF else max(0, eocd - cd_size)
    return data.count(_ZIP_CENTRAL, start, eocd)


def _find_zip_eocd(data: bytes) -> int:
    """Locate the end record the way zipfile does: the last 22 bytes, else a search."""
    last = len(data) - _ZIP_EOCD_SIZE
    if last >= 0 and data[last : last + 4] == _ZIP_EOCD and data[-2:] == b"\x00\x00":
        return last
    found = data.rfind(_ZIP_EOCD, max(0, len(data) - _ZIP_EOCD_SIZE - _ZIP_MAX_COMMENT))
    return found if 0 <= found <= last else -1


def _open_zip(data: bytes, *, field: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except Exception:  # noqa: BLE001 - untrusted input: zipfile raises many types
        raise invalid(
            field, "ZIP 压缩包已损坏，无法读取 / The ZIP archive is damaged and cannot be read"
        ) from None


def _zip_entry(info: zipfile.ZipInfo) -> Entry:
    return Entry(
        name=_zip_name(info),
        size=info.file_size,
        packed=info.compress_size,
        is_dir=info.is_dir(),
        special=unix_kind(info.external_attr >> 16) if info.create_system == _UNIX else None,
    )


def _zip_name(info: zipfile.ZipInfo) -> str:
    """The member's name as its author saw it.

    Windows tools in China write names in GBK without the UTF-8 flag, which
    zipfile then shows as cp437 mojibake; some tools write UTF-8 without the flag.
    """
    name = info.orig_filename
    if info.flag_bits & _ZIP_FLAG_UTF8:
        return name
    try:
        raw = name.encode("cp437")
    except UnicodeEncodeError:
        return name
    for encoding in ("utf-8", "gbk"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return name


def _refuse_encrypted_zip(infos: list[zipfile.ZipInfo], *, field: str) -> None:
    for info in infos:
        if info.flag_bits & (_ZIP_FLAG_ENCRYPTED | _ZIP_FLAG_STRONG_ENCRYPTION):
            raise _encrypted(field, _zip_name(info))


def _refuse_unknown_methods(infos: list[zipfile.ZipInfo], *, field: str) -> None:
    for info in infos:
        if not info.is_dir() and info.compress_type not in _ZIP_METHODS:
            name = _zip_name(info)
            message = (f"{name}：压缩方式不受支持，请用标准 ZIP 重新压缩 / {name}: unsupported compression "
                       "method; please re-create the archive as a standard ZIP")
            raise invalid(field, message)


def _stream_zip_members(
    archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], *, field: str, limits: Limits
) -> dict[str, str | None]:
    """Decompress every file member under a running counter; name each one's real type."""
    kinds: dict[str, str | None] = {}
    remaining = limits.total
    for info in infos:
        if info.is_dir():
            continue
        name = _zip_name(info)
        # The declared size can lie; never read more than it or the overall budget.
        limit = min(info.file_size, remaining)
        head, produced = _read_member(archive, info, name=name, limit=limit, field=field)
        if produced != info.file_size:
            raise _damaged_member(field, name)
        remaining -= produced
        kinds[name] = sniff_format(head) if head else None
    return kinds


def _read_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, name: str, limit: int, field: str
) -> tuple[bytes, int]:
    try:
        with archive.open(info) as stream:
            return _read_capped(stream, limit)
    except CapExceeded:
        raise _damaged_member(field, name) from None
    except Exception:  # noqa: BLE001 - CRC errors, truncated data, bad headers …
        raise _damaged_member(field, name) from None


def _read_capped(stream: IO[bytes], limit: int) -> tuple[bytes, int]:
    """Drain ``stream`` in chunks; keep the first bytes; stop as soon as ``limit`` is passed.

    Reading to the end is what makes zipfile compare the CRC.
    """
    head = b""
    produced = 0
    while chunk := stream.read(_CHUNK):
        produced += len(chunk)
        if produced > limit:
            raise CapExceeded
        if len(head) < _HEAD:
            head += chunk[: _HEAD - len(head)]
    return head, produced


def _encrypted(field: str, name: str | None) -> InvalidInput:
    return invalid(field, encrypted_message(name))


def _damaged_member(field: str, name: str) -> InvalidInput:
    message = f"{name}：文件已损坏（大小或校验不符） / {name}: the file is damaged (size or CRC does not match the archive's record)"
    return invalid(field, message)
