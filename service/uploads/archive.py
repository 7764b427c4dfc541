"""The 旧计划课程（实践课考核卡）scanned-archive upload: a ZIP or RAR of scans.

The archive is never extracted to disk and no external tool is run.  ZIP
members are decompressed in memory, chunk by chunk under a running byte counter,
so that CRCs are checked and each member's real type is seen; RAR archives are
only listed from their headers (unpacking RAR needs unrar), so RAR scans are
recognised by name.  Limits on size, member count and compression ratio are
applied to the declared sizes before anything is decompressed, to refuse zip
bombs cheaply.
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import IO

from service.errors import InvalidInput, PayloadTooLarge, UnsupportedMediaType
from service.uploads.photo import sniff_format

MAX_ARCHIVE_BYTES = 20 * 1024 * 1024
MAX_MEMBERS = 200
MAX_TOTAL_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 100

# Small members compress extremely well (a 10 KB blank text file can reach
# 300:1) and are harmless; the ratio rule is about volume, so it starts here.
RATIO_FLOOR = 1024 * 1024

_CHUNK = 64 * 1024
_HEAD = 1024  # enough to recognise a scan, including PDFs with leading junk

_SCAN_FORMATS = {"jpeg", "png", "pdf"}
_ARCHIVE_FORMATS = {"zip", "rar", "7z", "gzip"}

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_RAR4_MAGIC = b"Rar!\x1a\x07\x00"
_RAR5_MAGIC = b"Rar!\x1a\x07\x01\x00"

_ZIP_EOCD = b"PK\x05\x06"
_ZIP_EOCD_SIZE = 22
_ZIP_MAX_COMMENT = 1 << 16
_ZIP_CENTRAL = b"PK\x01\x02"
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP_FLAG_ENCRYPTED = 0x0001
_ZIP_FLAG_STRONG_ENCRYPTION = 0x0040
_ZIP_FLAG_UTF8 = 0x0800

_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass
class ArchiveInfo:
    format: str  # 'zip' | 'rar', from the content
    members: list[str]  # file members, directories left out
    total_uncompressed: int
    sha256: str
    # Non-fatal findings for the reviewer (members that are not scans).
    problems: list[str] = dataclass_field(default_factory=list)


@dataclass(frozen=True)
class _Limits:
    members: int
    total: int
    ratio: int


@dataclass(frozen=True)
class _Entry:
    name: str
    size: int
    packed: int
    is_dir: bool


class _CapExceeded(Exception):
    """A member produced more bytes, or an archive more headers, than allowed."""


def check_archive(
    data: bytes,
    *,
    field: str,
    max_bytes: int = MAX_ARCHIVE_BYTES,
    max_members: int = MAX_MEMBERS,
    max_total_uncompressed: int = MAX_TOTAL_UNCOMPRESSED,
    max_ratio: int = MAX_RATIO,
) -> ArchiveInfo:
    """Check an uploaded scan archive for real; refuse anything unsafe or unreadable.

    ``max_bytes`` is exclusive, like the photo limit.  Raises PayloadTooLarge
    (upload or declared content too big), UnsupportedMediaType (neither ZIP nor
    RAR) or InvalidInput (damaged, encrypted, unsafe names, zip bomb, no scans).
    """
    _check_upload_size(data, field=field, max_bytes=max_bytes)
    kind = _archive_kind(data, field=field)
    limits = _Limits(members=max_members, total=max_total_uncompressed, ratio=max_ratio)
    if kind == "zip":
        members, total, problems = _check_zip(data, field=field, limits=limits)
    else:
        members, total, problems = _check_rar(data, field=field, limits=limits)
    return ArchiveInfo(
        format=kind,
        members=members,
        total_uncompressed=total,
        sha256=hashlib.sha256(data).hexdigest(),
        problems=problems,
    )


# --- common -------------------------------------------------------------------


def _check_upload_size(data: bytes, *, field: str, max_bytes: int) -> None:
    if not data:
        raise _invalid(field, "文件为空 / The file is empty")
    if len(data) >= max_bytes:
        limit = _human_size(max_bytes)
        message = f"压缩包必须小于 {limit} / The archive must be smaller than {limit}"
        raise PayloadTooLarge(message, fields={field: [message]})


def _archive_kind(data: bytes, *, field: str) -> str:
    if data.startswith(_ZIP_MAGIC):
        return "zip"
    if data.startswith((_RAR4_MAGIC, _RAR5_MAGIC)):
        return "rar"
    detected = sniff_format(data)
    shown = f"（实际为 {detected.upper()}）" if detected else ""
    shown_en = f" (it is really {detected.upper()})" if detected else ""
    message = f"文件不是 ZIP 或 RAR 压缩包{shown} / The file is not a ZIP or RAR archive{shown_en}"
    raise UnsupportedMediaType(message, fields={field: [message]}, detected=detected)


def _check_entries(entries: list[_Entry], *, field: str, limits: _Limits) -> None:
    """Limits that need only the listing; applied before anything is decompressed."""
    if len(entries) > limits.members:
        raise _too_many(field, limits.members)
    for entry in entries:
        if _unsafe_name(entry.name):
            raise _invalid(
                field,
                f"压缩包内的文件路径不安全：{entry.name!r} / Unsafe path in the archive: {entry.name!r}",
            )
    if not any(not e.is_dir for e in entries):
        raise _invalid(field, "压缩包是空的 / The archive is empty")
    total = sum(e.size for e in entries)
    if total > limits.total:
        limit = _human_size(limits.total)
        message = f"压缩包解压后超过 {limit} / The archive's contents exceed {limit} when unpacked"
        raise PayloadTooLarge(message, fields={field: [message]})
    _check_ratios(entries, field=field, limits=limits)


def _check_ratios(entries: list[_Entry], *, field: str, limits: _Limits) -> None:
    suspicious = [e for e in entries if _ratio_too_high(e.size, e.packed, limits.ratio)]
    total = sum(e.size for e in entries)
    packed = sum(e.packed for e in entries)
    if suspicious or _ratio_too_high(total, packed, limits.ratio):
        raise _invalid(
            field,
            f"压缩包的压缩比异常（超过 {limits.ratio}:1），疑似压缩炸弹 / The archive's "
            f"compression ratio is above {limits.ratio}:1, which looks like a zip bomb",
        )


def _ratio_too_high(size: int, packed: int, max_ratio: int) -> bool:
    return size > RATIO_FLOOR and size > max_ratio * max(packed, 1)


def _unsafe_name(name: str) -> bool:
    """Absolute, drive-qualified or climbing paths, under either separator."""
    if "\x00" in name:
        return True
    normal = name.replace("\\", "/")
    if normal.startswith("/") or _DRIVE.match(normal):
        return True
    return ".." in normal.split("/")


def _scan_problems(kinds: dict[str, str | None]) -> list[str]:
    """One readable problem per member that is not a scan, for the county reviewer."""
    problems = []
    for name, kind in kinds.items():
        if kind in _SCAN_FORMATS:
            continue
        if kind in _ARCHIVE_FORMATS:
            problems.append(f"{name}：压缩包内嵌套的压缩包未被打开检查 / {name}: nested archive, not opened")
        else:
            problems.append(
                f"{name}：不是扫描件（应为 jpg/jpeg/png/pdf） / {name}: not a scan (jpg/jpeg/png/pdf expected)"
            )
    return problems


def _require_a_scan(kinds: dict[str, str | None], *, field: str) -> None:
    if not any(kind in _SCAN_FORMATS for kind in kinds.values()):
        raise _invalid(
            field,
            "压缩包中没有扫描件（jpg/jpeg/png/pdf） / The archive contains no scans (jpg/jpeg/png/pdf)",
        )


# --- ZIP ------------------------------------------------------------------------


def _check_zip(data: bytes, *, field: str, limits: _Limits) -> tuple[list[str], int, list[str]]:
    # zipfile builds an object per central-directory entry before we can count
    # them: 20 MB of empty entries costs seconds and >100 MB, so bound it first.
    if _zip_entry_upper_bound(data) > limits.members:
        raise _too_many(field, limits.members)
    archive = _open_zip(data, field=field)
    with archive:
        infos = archive.infolist()
        entries = [_zip_entry(info) for info in infos]
        _check_entries(entries, field=field, limits=limits)
        _refuse_encrypted_zip(infos, field=field)
        kinds = _stream_zip_members(archive, infos, field=field, limits=limits)
    _require_a_scan(kinds, field=field)
    total = sum(e.size for e in entries)
    return list(kinds), total, _scan_problems(kinds)


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
        raise _invalid(
            field, "ZIP 压缩包已损坏，无法读取 / The ZIP archive is damaged and cannot be read"
        ) from None


def _zip_entry(info: zipfile.ZipInfo) -> _Entry:
    return _Entry(
        name=_zip_name(info),
        size=info.file_size,
        packed=info.compress_size,
        is_dir=info.is_dir(),
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


def _stream_zip_members(
    archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], *, field: str, limits: _Limits
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
    except _CapExceeded:
        raise _damaged_member(field, name) from None
    except NotImplementedError:  # zipfile's answer to a method it cannot decompress (Deflate64, PPMd …)
        raise _invalid(
            field,
            f"{name}：压缩方式不受支持，请用标准 ZIP 重新压缩 / {name}: unsupported compression "
            "method; please re-create the archive as a standard ZIP",
        ) from None
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
            raise _CapExceeded
        if len(head) < _HEAD:
            head += chunk[: _HEAD - len(head)]
    return head, produced


# --- RAR ------------------------------------------------------------------------
#
# Only the headers are read, following RARLAB's published layouts (technote.txt
# for RAR 5.0, and the RAR 2.x–4.x one).  A library such as rarfile was not used
# because, while listing, it hands archive comments to an external unrar and
# stops quietly at headers it cannot parse; here nothing is ever run, and every
# header is CRC-checked and must lie wholly inside the upload.

_RAR5_MAX_HEADER = 2 * 1024 * 1024  # the format's own limit
_RAR5_MAIN, _RAR5_FILE, _RAR5_ENCRYPTION, _RAR5_END = 1, 2, 4, 5
_RAR5_HAS_EXTRA, _RAR5_HAS_DATA = 0x01, 0x02
_RAR5_SPLIT = 0x08 | 0x10  # data continues from / into another volume
_RAR5_VOLUME, _RAR5_NOT_LAST_VOLUME = 0x01, 0x01
_RAR5_FILE_DIR, _RAR5_FILE_MTIME, _RAR5_FILE_CRC, _RAR5_FILE_SIZE_UNKNOWN = 0x01, 0x02, 0x04, 0x08
_RAR5_EXTRA_ENCRYPTION = 0x01

_RAR4_MAIN, _RAR4_FILE, _RAR4_SUB, _RAR4_END = 0x73, 0x74, 0x7A, 0x7B
_RAR4_LONG_BLOCK = 0x8000
_RAR4_MAIN_VOLUME, _RAR4_MAIN_HEADERS_ENCRYPTED, _RAR4_MAIN_ENCRYPT_VERSION = 0x0001, 0x0080, 0x0200
_RAR4_SPLIT, _RAR4_ENCRYPTED, _RAR4_FILE_COMMENT = 0x0003, 0x0004, 0x0008
_RAR4_DIRECTORY, _RAR4_LARGE, _RAR4_UNICODE = 0x00E0, 0x0100, 0x0200
_RAR4_END_NOT_LAST_VOLUME = 0x0001
_RAR4_BASE = 7  # CRC, type, flags, size
_RAR4_FILE_FIELDS = struct.Struct("<IIBIIBBHI")  # pack/unpacked size … name size, attributes


class _Damaged(Exception):
    """The RAR headers are not what the format says they must be."""


class _RarRefused(Exception):
    """A readable RAR that must be refused; carries the user-facing message."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class _Reader:
    """Bounds-checked little-endian reads; running off the end means a damaged header."""

    def __init__(self, data: bytes, pos: int, end: int):
        self.data, self.pos, self.end = data, pos, min(end, len(data))

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > self.end:
            raise _Damaged
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def u8(self) -> int:
        return self.take(1)[0]

    def u16(self) -> int:
        return int.from_bytes(self.take(2), "little")

    def u32(self) -> int:
        return int.from_bytes(self.take(4), "little")

    def vint(self) -> int:
        """RAR5's variable-length integer: 7 bits per byte, low bits first."""
        value = 0
        for shift in range(0, 70, 7):
            byte = self.u8()
            value |= (byte & 0x7F) << shift
            if not byte & 0x80:
                return value
        raise _Damaged


def _check_rar(data: bytes, *, field: str, limits: _Limits) -> tuple[list[str], int, list[str]]:
    walk = _walk_rar5 if data.startswith(_RAR5_MAGIC) else _walk_rar4
    # Every member has one header, plus a few service headers (streams, ACLs).
    max_blocks = 4 * limits.members + 16
    try:
        entries = walk(data, max_blocks=max_blocks)
    except _Damaged:
        raise _unreadable_rar(field) from None
    except _RarRefused as refusal:
        raise _invalid(field, refusal.message) from None
    except _CapExceeded:
        raise _too_many(field, limits.members) from None
    _check_entries(entries, field=field, limits=limits)
    # Without unpacking, the contents cannot be looked at: a scan is known by name.
    kinds = {e.name: _kind_from_name(e.name) for e in entries if not e.is_dir}
    _require_a_scan(kinds, field=field)
    return list(kinds), sum(e.size for e in entries), _scan_problems(kinds)


def _walk_rar5(data: bytes, *, max_blocks: int) -> list[_Entry]:
    entries: list[_Entry] = []
    pos = len(_RAR5_MAGIC)
    for _ in range(max_blocks):
        if pos >= len(data):
            raise _Damaged  # no end-of-archive header: the upload was cut short
        kind, flags, fields, extra, data_size, pos = _rar5_block(data, pos)
        if kind == _RAR5_ENCRYPTION:
            raise _RarRefused(_encrypted_message(None))
        if kind == _RAR5_MAIN and fields.vint() & _RAR5_VOLUME:
            raise _RarRefused(_MULTI_VOLUME)
        if kind == _RAR5_FILE:
            if flags & _RAR5_SPLIT:
                raise _RarRefused(_MULTI_VOLUME)
            entries.append(_rar5_file(fields, extra, packed=data_size))
        if kind == _RAR5_END:
            if fields.vint() & _RAR5_NOT_LAST_VOLUME:
                raise _RarRefused(_MULTI_VOLUME)
            return entries
    raise _CapExceeded


def _rar5_block(data: bytes, pos: int) -> tuple[int, int, _Reader, _Reader, int, int]:
    """Parse one RAR5 header at ``pos``; return its parts and where the next one starts."""
    head = _Reader(data, pos, len(data))
    crc = head.u32()
    size_start = head.pos
    header_size = head.vint()
    if not 0 < header_size <= _RAR5_MAX_HEADER:
        raise _Damaged
    header_end = head.pos + header_size
    if header_end > len(data) or zlib.crc32(data[size_start:header_end]) != crc:
        raise _Damaged
    fields = _Reader(data, head.pos, header_end)
    kind = fields.vint()
    flags = fields.vint()
    extra_size = fields.vint() if flags & _RAR5_HAS_EXTRA else 0
    data_size = fields.vint() if flags & _RAR5_HAS_DATA else 0
    if extra_size > header_end - fields.pos:
        raise _Damaged
    extra = _Reader(data, header_end - extra_size, header_end)
    fields.end = header_end - extra_size
    next_pos = header_end + data_size
    if next_pos > len(data):
        raise _Damaged  # a member's data runs past the end of the upload
    return kind, flags, fields, extra, data_size, next_pos


def _rar5_file(fields: _Reader, extra: _Reader, *, packed: int) -> _Entry:
    file_flags = fields.vint()
    size = fields.vint()
    fields.vint()  # attributes
    if file_flags & _RAR5_FILE_MTIME:
        fields.take(4)
    if file_flags & _RAR5_FILE_CRC:
        fields.take(4)
    fields.vint()  # compression information
    fields.vint()  # host OS
    name = fields.take(fields.vint()).decode("utf-8", "replace")
    if file_flags & _RAR5_FILE_SIZE_UNKNOWN:
        # Written from a pipe: there is no size to hold against the limits.
        raise _RarRefused(f"{name}：压缩包未记录文件大小 / {name}: the archive does not record its size")
    if _rar5_encrypted(extra):
        raise _RarRefused(_encrypted_message(name))
    return _Entry(name=name, size=size, packed=packed, is_dir=bool(file_flags & _RAR5_FILE_DIR))


def _rar5_encrypted(extra: _Reader) -> bool:
    while extra.pos < extra.end:
        record = _Reader(extra.data, extra.pos, extra.end)
        record_size = record.vint()
        record_end = record.pos + record_size
        if record_end > extra.end:
            raise _Damaged
        if record_size and record.vint() == _RAR5_EXTRA_ENCRYPTION:
            return True
        extra.pos = record_end
    return False


def _walk_rar4(data: bytes, *, max_blocks: int) -> list[_Entry]:
    entries: list[_Entry] = []
    pos = len(_RAR4_MAGIC)
    for _ in range(max_blocks):
        if pos == len(data):
            # RAR 2.x wrote no end-of-archive header; a cut mid-header or
            # mid-data is caught below, as every block must fit in the upload.
            return entries
        kind, flags, header, next_pos = _rar4_block(data, pos)
        if kind == _RAR4_MAIN:
            if flags & _RAR4_MAIN_HEADERS_ENCRYPTED:
                raise _RarRefused(_encrypted_message(None))
            if flags & _RAR4_MAIN_VOLUME:
                raise _RarRefused(_MULTI_VOLUME)
        elif kind == _RAR4_FILE:
            if flags & _RAR4_SPLIT:
                raise _RarRefused(_MULTI_VOLUME)
            entry, next_pos = _rar4_file(data, pos, flags, header)
            entries.append(entry)
        elif kind == _RAR4_SUB:
            next_pos = _rar4_file(data, pos, flags, header)[1]
        elif kind == _RAR4_END:
            if flags & _RAR4_END_NOT_LAST_VOLUME:
                raise _RarRefused(_MULTI_VOLUME)
            return entries
        pos = next_pos
    raise _CapExceeded


def _rar4_block(data: bytes, pos: int) -> tuple[int, int, bytes, int]:
    """Parse one RAR 2.x–4.x block header; return type, flags, header bytes, next position."""
    base = _Reader(data, pos, len(data))
    crc, kind, flags, size = base.u16(), base.u8(), base.u16(), base.u16()
    if size < _RAR4_BASE or pos + size > len(data):
        raise _Damaged
    header = data[pos : pos + size]
    covered = _rar4_crc_span(kind, flags, size)
    if covered is not None and (zlib.crc32(header[2:covered]) & 0xFFFF) != crc:
        raise _Damaged
    added = _Reader(header, _RAR4_BASE, size).u32() if flags & _RAR4_LONG_BLOCK else 0
    next_pos = pos + size + added
    if next_pos > len(data):
        raise _Damaged
    return kind, flags, header, next_pos


def _rar4_crc_span(kind: int, flags: int, size: int) -> int | None:
    """How much of a header its CRC covers, or None where old blocks differ."""
    if kind == _RAR4_MAIN:
        # An old-style comment may follow the fixed fields, outside the CRC.
        return 13 + (1 if flags & _RAR4_MAIN_ENCRYPT_VERSION else 0)
    if kind in (_RAR4_FILE, _RAR4_SUB) and not flags & _RAR4_FILE_COMMENT:
        return size
    if kind == _RAR4_END:
        return size
    return None


def _rar4_file(data: bytes, pos: int, flags: int, header: bytes) -> tuple[_Entry, int]:
    fields = _Reader(header, _RAR4_BASE, len(header))
    packed, size, _, _, _, _, _, name_size, _ = _RAR4_FILE_FIELDS.unpack(fields.take(_RAR4_FILE_FIELDS.size))
    if flags & _RAR4_LARGE:
        packed |= fields.u32() << 32
        size |= fields.u32() << 32
    name = _rar4_name(fields.take(name_size), flags).replace("\\", "/")
    if flags & _RAR4_ENCRYPTED:
        raise _RarRefused(_encrypted_message(name))
    next_pos = pos + len(header) + packed
    if next_pos > len(data):
        raise _Damaged
    is_dir = flags & _RAR4_DIRECTORY == _RAR4_DIRECTORY
    return _Entry(name=name, size=size, packed=packed, is_dir=is_dir), next_pos


def _rar4_name(raw: bytes, flags: int) -> str:
    """RAR 3/4 names: UTF-8, or an OEM name plus RAR's compact Unicode encoding."""
    if not flags & _RAR4_UNICODE:
        return _decode_legacy(raw)
    if b"\x00" not in raw:
        return raw.decode("utf-8", "replace")
    oem, encoded = raw.split(b"\x00", 1)
    try:
        return _decode_rar_unicode(oem, encoded)
    except IndexError:
        return _decode_legacy(oem)


def _decode_legacy(raw: bytes) -> str:
    # Chinese Windows writes OEM names in code page 936, i.e. GBK.
    for encoding in ("utf-8", "gbk"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def _decode_rar_unicode(oem: bytes, encoded: bytes) -> str:
    """WinRAR 3.x's name encoding: 2-bit opcodes building UTF-16 units on the OEM name."""
    high = encoded[0]
    pos, units, flags, flag_bits = 1, [], 0, 0
    while pos < len(encoded):
        if flag_bits == 0:
            flags, flag_bits, pos = encoded[pos], 8, pos + 1
        flag_bits -= 2
        op = (flags >> flag_bits) & 3
        if op == 0:
            units.append(encoded[pos])
            pos += 1
        elif op == 1:
            units.append(encoded[pos] | high << 8)
            pos += 1
        elif op == 2:
            units.append(encoded[pos] | encoded[pos + 1] << 8)
            pos += 2
        else:
            count = encoded[pos]
            pos += 1
            if count & 0x80:
                correction = encoded[pos]
                pos += 1
                for _ in range((count & 0x7F) + 2):
                    units.append(((oem[len(units)] + correction) & 0xFF) | high << 8)
            else:
                for _ in range(count + 2):
                    units.append(oem[len(units)])
    return struct.pack(f"<{len(units)}H", *units).decode("utf-16-le", "replace")


def _kind_from_name(name: str) -> str | None:
    lowered = name.lower()
    if lowered.endswith((".jpg", ".jpeg")):
        return "jpeg"
    for kind in ("png", "pdf", "zip", "rar", "7z"):
        if lowered.endswith("." + kind):
            return kind
    return None


# --- errors ---------------------------------------------------------------------


def _invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput(message, fields={field: [message]})


def _too_many(field: str, max_members: int) -> InvalidInput:
    return _invalid(
        field,
        f"压缩包内文件过多（最多 {max_members} 个） / Too many files in the archive (at most {max_members})",
    )


def _encrypted(field: str, name: str | None) -> InvalidInput:
    return _invalid(field, _encrypted_message(name))


def _encrypted_message(name: str | None) -> str:
    if name is None:
        return (
            "压缩包设置了密码，请上传未加密的压缩包 / "
            "The archive is password-protected; upload it without a password"
        )
    return (
        f"{name}：文件设置了密码，请上传未加密的压缩包 / "
        f"{name}: the file is password-protected; upload the archive without a password"
    )


_MULTI_VOLUME = (
    "不接受分卷压缩包，请上传单个完整的压缩包 / Multi-volume (split) archives are not "
    "accepted; upload one complete archive"
)


def _damaged_member(field: str, name: str) -> InvalidInput:
    return _invalid(
        field,
        f"{name}：文件已损坏（大小或校验不符） / {name}: the file is damaged "
        "(size or CRC does not match the archive's record)",
    )


def _unreadable_rar(field: str) -> InvalidInput:
    return _invalid(
        field,
        "RAR 压缩包的文件头无法读取（已损坏、不完整或格式不受支持） / The RAR archive's headers "
        "cannot be read (damaged, incomplete or unsupported)",
    )


def _human_size(n: int) -> str:
    if n % (1024 * 1024) == 0:
        return f"{n // (1024 * 1024)} MB"
    if n % 1024 == 0:
        return f"{n // 1024} KB"
    return f"{n} bytes"
