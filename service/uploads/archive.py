"""The 旧计划课程（实践课考核卡）scanned-archive upload: a ZIP or RAR of scans.

The archive is never extracted to disk and no external tool is run.  ZIP
members are decompressed in memory, chunk by chunk under a running byte counter,
so that CRCs are checked and each member's real type is seen; RAR archives are
only listed from their headers (unpacking RAR needs unrar), so RAR scans are
recognised by name.  Limits on size, member count and compression ratio are
applied to the declared sizes before anything is decompressed, to refuse zip
bombs cheaply.

This module holds what both formats are held to; the readers are zip_archive and rar_archive.
"""

from __future__ import annotations

import hashlib
import re
import stat
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from service.errors import InvalidInput, PayloadTooLarge, UnsupportedMediaType
from service.uploads.limits import check_size, human_size, invalid
from service.uploads.photo import sniff_format

MAX_ARCHIVE_BYTES = 20 * 1024 * 1024
MAX_MEMBERS = 200
MAX_TOTAL_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 100

# Small members compress extremely well (a 10 KB blank text file can reach
# 300:1) and are harmless; the ratio rule is about volume, so it starts here.
RATIO_FLOOR = 1024 * 1024

_SCAN_FORMATS = {"jpeg", "png", "pdf"}
_ARCHIVE_FORMATS = {"zip", "rar", "7z", "gzip"}

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
RAR4_MAGIC = b"Rar!\x1a\x07\x00"
RAR5_MAGIC = b"Rar!\x1a\x07\x01\x00"

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
class Limits:
    members: int
    total: int
    ratio: int


@dataclass(frozen=True)
class Entry:
    name: str
    size: int
    packed: int
    is_dir: bool
    special: str | None = None  # a link, device, pipe or socket: never a scan, and unsafe to unpack


def unix_kind(mode: int) -> str | None:
    """What a Unix mode says a member is, when it is neither a file nor a folder."""
    kind = stat.S_IFMT(mode)
    if kind in (0, stat.S_IFREG, stat.S_IFDIR):
        return None
    return {stat.S_IFLNK: "symbolic link", stat.S_IFCHR: "device", stat.S_IFBLK: "device",
            stat.S_IFIFO: "pipe", stat.S_IFSOCK: "socket"}.get(kind, "special file")


class CapExceeded(Exception):
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
    # the readers build on this module's checks: imported here, once this module exists
    from service.uploads import rar_archive, zip_archive

    check_size(data, field=field, max_bytes=max_bytes, noun=("压缩包", "The archive"))
    kind = _archive_kind(data, field=field)
    limits = Limits(members=max_members, total=max_total_uncompressed, ratio=max_ratio)
    if kind == "zip":
        kinds, total = zip_archive.check_zip(data, field=field, limits=limits)
    else:
        kinds, total = rar_archive.check_rar(data, field=field, limits=limits)
    _require_a_scan(kinds, field=field)
    return ArchiveInfo(
        format=kind,
        members=list(kinds),
        total_uncompressed=total,
        sha256=hashlib.sha256(data).hexdigest(),
        problems=_scan_problems(kinds),
    )


# --- checks of both formats ---------------------------------------------------


def _archive_kind(data: bytes, *, field: str) -> str:
    if data.startswith(_ZIP_MAGIC):
        return "zip"
    if data.startswith((RAR4_MAGIC, RAR5_MAGIC)):
        return "rar"
    detected = sniff_format(data)
    shown = f"（实际为 {detected.upper()}）" if detected else ""
    shown_en = f" (it is really {detected.upper()})" if detected else ""
    message = f"文件不是 ZIP 或 RAR 压缩包{shown} / The file is not a ZIP or RAR archive{shown_en}"
    raise UnsupportedMediaType(message, fields={field: [message]}, detected=detected)


def check_entries(entries: list[Entry], *, field: str, limits: Limits) -> None:
    """Limits that need only the listing; applied before anything is decompressed."""
    if len(entries) > limits.members:
        raise too_many(field, limits.members)
    for entry in entries:
        if entry.special:
            raise invalid(
                field,
                f"压缩包内含链接或特殊文件：{entry.name!r}（{entry.special}），请只放入扫描件 / "
                f"The archive holds a {entry.special}, {entry.name!r}: put only the scans in it",
            )
        if _unsafe_name(entry.name):
            raise invalid(
                field,
                f"压缩包内的文件路径不安全：{entry.name!r} / Unsafe path in the archive: {entry.name!r}",
            )
    if not any(not e.is_dir for e in entries):
        raise invalid(field, "压缩包是空的 / The archive is empty")
    total = sum(e.size for e in entries)
    if total > limits.total:
        limit = human_size(limits.total)
        message = f"压缩包解压后超过 {limit} / The archive's contents exceed {limit} when unpacked"
        raise PayloadTooLarge(message, fields={field: [message]})
    _check_ratios(entries, field=field, limits=limits)


def _check_ratios(entries: list[Entry], *, field: str, limits: Limits) -> None:
    suspicious = [e for e in entries if _ratio_too_high(e.size, e.packed, limits.ratio)]
    total = sum(e.size for e in entries)
    packed = sum(e.packed for e in entries)
    if suspicious or _ratio_too_high(total, packed, limits.ratio):
        raise invalid(
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
        raise invalid(
            field,
            "压缩包中没有扫描件（jpg/jpeg/png/pdf） / The archive contains no scans (jpg/jpeg/png/pdf)",
        )


# --- errors ---------------------------------------------------------------------


def too_many(field: str, max_members: int) -> InvalidInput:
    return invalid(
        field,
        f"压缩包内文件过多（最多 {max_members} 个） / Too many files in the archive (at most {max_members})",
    )


def encrypted_message(name: str | None) -> str:
    if name is None:
        return (
            "压缩包设置了密码，请上传未加密的压缩包 / "
            "The archive is password-protected; upload it without a password"
        )
    return (
        f"{name}：文件设置了密码，请上传未加密的压缩包 / "
        f"{name}: the file is password-protected; upload the archive without a password"
    )
