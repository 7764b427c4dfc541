"""The RAR reader of the scan-archive check: the headers only, as nothing may unpack RAR without unrar."""

from __future__ import annotations

import struct
import zlib

from service.errors import InvalidInput
from service.uploads.archive import (
    RAR4_MAGIC,
    RAR5_MAGIC,
    CapExceeded,
    Entry,
    Limits,
    check_entries,
    encrypted_message,
    too_many,
    unix_kind,
)
from service.uploads.limits import invalid

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
_RAR5_EXTRA_ENCRYPTION, _RAR5_EXTRA_REDIRECTION = 0x01, 0x05  # redirection: a symbolic or hard link
_RAR5_HOST_UNIX = 1  # then the attributes are a Unix mode

_RAR4_MAIN, _RAR4_FILE, _RAR4_SUB, _RAR4_END = 0x73, 0x74, 0x7A, 0x7B
_RAR4_LONG_BLOCK = 0x8000
_RAR4_MAIN_VOLUME, _RAR4_MAIN_HEADERS_ENCRYPTED, _RAR4_MAIN_ENCRYPT_VERSION = 0x0001, 0x0080, 0x0200
_RAR4_SPLIT, _RAR4_ENCRYPTED, _RAR4_FILE_COMMENT = 0x0003, 0x0004, 0x0008
_RAR4_DIRECTORY, _RAR4_LARGE, _RAR4_UNICODE = 0x00E0, 0x0100, 0x0200
_RAR4_END_NOT_LAST_VOLUME = 0x0001
_RAR4_BASE = 7  # CRC, type, flags, size
_RAR4_HOST_UNIX = 3
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


def check_rar(data: bytes, *, field: str, limits: Limits) -> tuple[dict[str, str | None], int]:
    """Each file member's type as its name says (None: not recognised) and the declared unpacked total."""
    walk = _walk_rar5 if data.startswith(RAR5_MAGIC) else _walk_rar4
    # Every member has one header, plus a few service headers (streams, ACLs).
    max_blocks = 4 * limits.members + 16
    try:
        entries = walk(data, max_blocks=max_blocks)
    except _Damaged:
        raise _unreadable_rar(field) from None
    except _RarRefused as refusal:
        raise invalid(field, refusal.message) from None
    except CapExceeded:
        raise too_many(field, limits.members) from None
    check_entries(entries, field=field, limits=limits)
    # Without unpacking, the contents cannot be looked at: a scan is known by name.
    kinds = {e.name: _kind_from_name(e.name) for e in entries if not e.is_dir}
    return kinds, sum(e.size for e in entries)


def _walk_rar5(data: bytes, *, max_blocks: int) -> list[Entry]:
    entries: list[Entry] = []
    pos = len(RAR5_MAGIC)
    for _ in range(max_blocks):
        if pos >= len(data):
            raise _Damaged  # no end-of-archive header: the upload was cut short
        kind, flags, fields, extra, data_size, pos = _rar5_block(data, pos)
        if kind == _RAR5_ENCRYPTION:
            raise _RarRefused(encrypted_message(None))
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
    raise CapExceeded


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


def _rar5_file(fields: _Reader, extra: _Reader, *, packed: int) -> Entry:
    file_flags = fields.vint()
    size = fields.vint()
    attributes = fields.vint()
    if file_flags & _RAR5_FILE_MTIME:
        fields.take(4)
    if file_flags & _RAR5_FILE_CRC:
        fields.take(4)
    fields.vint()  # compression information
    host_os = fields.vint()
    name = fields.take(fields.vint()).decode("utf-8", "replace")
    if file_flags & _RAR5_FILE_SIZE_UNKNOWN:
        # Written from a pipe: there is no size to hold against the limits.
        raise _RarRefused(f"{name}：压缩包未记录文件大小 / {name}: the archive does not record its size")
    records = _rar5_records(extra)
    if _RAR5_EXTRA_ENCRYPTION in records:
        raise _RarRefused(encrypted_message(name))
    special = "link" if _RAR5_EXTRA_REDIRECTION in records else None
    if host_os == _RAR5_HOST_UNIX:
        special = special or unix_kind(attributes)
    return Entry(name=name, size=size, packed=packed, is_dir=bool(file_flags & _RAR5_FILE_DIR), special=special)


def _rar5_records(extra: _Reader) -> set[int]:
    """The types of a file header's extra records (encryption, redirection = a link, …)."""
    types = set()
    while extra.pos < extra.end:
        record = _Reader(extra.data, extra.pos, extra.end)
        record_size = record.vint()
        record_end = record.pos + record_size
        if record_end > extra.end:
            raise _Damaged
        if record_size:
            types.add(record.vint())
        extra.pos = record_end
    return types


def _walk_rar4(data: bytes, *, max_blocks: int) -> list[Entry]:
    entries: list[Entry] = []
    pos = len(RAR4_MAGIC)
    for _ in range(max_blocks):
        if pos == len(data):
            # RAR 2.x wrote no end-of-archive header; a cut mid-header or
            # mid-data is caught below, as every block must fit in the upload.
            return entries
        kind, flags, header, next_pos = _rar4_block(data, pos)
        if kind == _RAR4_MAIN:
            if flags & _RAR4_MAIN_HEADERS_ENCRYPTED:
                raise _RarRefused(encrypted_message(None))
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
    raise CapExceeded


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


def _rar4_file(data: bytes, pos: int, flags: int, header: bytes) -> tuple[Entry, int]:
    fields = _Reader(header, _RAR4_BASE, len(header))
    packed, size, host_os, _, _, _, _, name_size, attributes = _RAR4_FILE_FIELDS.unpack(
        fields.take(_RAR4_FILE_FIELDS.size))
    if flags & _RAR4_LARGE:
        packed |= fields.u32() << 32
        size |= fields.u32() << 32
    name = _rar4_name(fields.take(name_size), flags).replace("\\", "/")
    if flags & _RAR4_ENCRYPTED:
        raise _RarRefused(encrypted_message(name))
    next_pos = pos + len(header) + packed
    if next_pos > len(data):
        raise _Damaged
    is_dir = flags & _RAR4_DIRECTORY == _RAR4_DIRECTORY
    special = unix_kind(attributes) if host_os == _RAR4_HOST_UNIX else None
    return Entry(name=name, size=size, packed=packed, is_dir=is_dir, special=special), next_pos


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


_MULTI_VOLUME = (
    "不接受分卷压缩包，请上传单个完整的压缩包 / Multi-volume (split) archives are not "
    "accepted; upload one complete archive"
)


def _unreadable_rar(field: str) -> InvalidInput:
    return invalid(
        field,
        "RAR 压缩包的文件头无法读取（已损坏、不完整或格式不受支持） / The RAR archive's headers "
        "cannot be read (damaged, incomplete or unsupported)",
    )
