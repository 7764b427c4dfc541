"""Scan-archive checks against ZIP and RAR archives built byte by byte in the tests.

No rar tool is needed: the RAR4 and RAR5 archives below are assembled from the
published header layouts (stored members, real CRCs), which is all that
listing needs.
"""

from __future__ import annotations

import hashlib
import io
import stat
import struct
import zipfile
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from service.errors import InvalidInput, PayloadTooLarge, ServiceError, UnsupportedMediaType
from service.uploads import zip_archive
from service.uploads.archive import check_archive


def jpeg(colour=(200, 40, 40), size=(64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 32), (240, 240, 240)).save(out, "PNG")
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def make_zip(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED, dirs=()) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for directory in dirs:
            archive.writestr(zipfile.ZipInfo(directory), b"")
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def patch_zip_headers(data: bytes, *, local_offset: int, central_offset: int, fmt: str, value: int) -> bytes:
    """Rewrite one field in the first local header and the first central header."""
    patched = bytearray(data)
    struct.pack_into(fmt, patched, local_offset, value)
    central = data.index(b"PK\x01\x02")
    struct.pack_into(fmt, patched, central + central_offset, value)
    return bytes(patched)


def lie_about_size(data: bytes, size: int) -> bytes:
    return patch_zip_headers(data, local_offset=22, central_offset=24, fmt="<I", value=size)


# --- RAR builders ----------------------------------------------------------------


def vint(n: int) -> bytes:
    out = bytearray()
    while True:
        low, n = n & 0x7F, n >> 7
        out.append(low | (0x80 if n else 0))
        if not n:
            return bytes(out)


def rar5_block(
    block_type: int, body: bytes = b"", *, flags: int = 0, extra: bytes = b"", data: bytes = b""
) -> bytes:
    flags |= (0x01 if extra else 0) | (0x02 if data else 0)
    fields = vint(block_type) + vint(flags)
    if extra:
        fields += vint(len(extra))
    if data:
        fields += vint(len(data))
    header = fields + body + extra
    sized = vint(len(header)) + header
    return struct.pack("<I", zlib.crc32(sized)) + sized + data


def rar5_file(
    name: str, content: bytes, *, size: int | None = None, method: int = 0, extra: bytes = b"", is_dir=False,
    host_os: int = 0, attributes: int = 0x20,
) -> bytes:
    encoded = name.encode("utf-8")
    body = (
        vint(0x04 | (0x01 if is_dir else 0))  # has CRC32 (+ directory)
        + vint(len(content) if size is None else size)
        + vint(attributes)
        + struct.pack("<I", zlib.crc32(content))
        + vint(method << 7)  # compression info: method in bits 7-9, 0 = stored
        + vint(host_os)  # 0 Windows, 1 Unix
        + vint(len(encoded))
        + encoded
    )
    return rar5_block(2, body, extra=extra, data=content)


RAR5_MAGIC = b"Rar!\x1a\x07\x01\x00"


def make_rar5(files: list[bytes], *, main_flags: int = 0, end_flags: int = 0) -> bytes:
    return RAR5_MAGIC + rar5_block(1, vint(main_flags)) + b"".join(files) + rar5_block(5, vint(end_flags))


def rar5_encryption_record() -> bytes:
    record = vint(1) + vint(0) + vint(0) + bytes([15]) + b"s" * 16 + b"i" * 16
    return vint(len(record)) + record


DOS_TIME = ((2021 - 1980) << 25) | (11 << 21) | (30 << 16)


def rar4_block(head_type: int, flags: int, body: bytes, data: bytes = b"") -> bytes:
    header = struct.pack("<BHH", head_type, flags, 7 + len(body)) + body
    return struct.pack("<H", zlib.crc32(header) & 0xFFFF) + header + data


def winrar3_unicode_name(name: str) -> bytes:
    """WinRAR 3.x's name field: the OEM name, NUL, then every UTF-16 unit spelled out.

    The OEM part is given as a non-Chinese Windows writes it ("?" for what its
    code page lacks), so only the Unicode part can produce the right name.
    """
    units = struct.unpack(f"<{len(name.encode('utf-16-le')) // 2}H", name.encode("utf-16-le"))
    encoded = bytearray([0])  # the "high byte" shortcut, unused by opcode 2
    for start in range(0, len(units), 4):
        group = units[start : start + 4]
        encoded.append(0xAA)  # four opcodes of 2: a full 16-bit unit follows
        for unit in group:
            encoded += struct.pack("<H", unit)
    return name.encode("ascii", "replace") + b"\x00" + bytes(encoded)


def rar4_file(name: str, content: bytes, *, raw_name: bytes | None = None, host_os: int = 2,
              attributes: int = 0x20) -> bytes:
    encoded = name.encode("utf-8") if raw_name is None else raw_name
    unicode_flag = 0x200 if not name.isascii() else 0
    fields = struct.pack(
        "<IIBIIBBHI",
        len(content),
        len(content),
        host_os,
        zlib.crc32(content),
        DOS_TIME,
        29,
        0x30,
        len(encoded),
        attributes,
    )
    return rar4_block(0x74, 0x8000 | unicode_flag, fields + encoded, content)


def make_rar4(files: list[bytes]) -> bytes:
    return (
        b"Rar!\x1a\x07\x00"
        + rar4_block(0x73, 0, b"\x00" * 6)
        + b"".join(files)
        + rar4_block(0x7B, 0x4000, b"")
    )


# --- ZIP: accepted -----------------------------------------------------------------


def test_good_zip_of_two_scans():
    data = make_zip({"scans/红卡1.jpg": jpeg(), "scans/绿卡2.jpeg": jpeg((40, 160, 40))}, dirs=["scans/"])
    info = check_archive(data, field="old_courses")
    assert info.format == "zip"
    assert info.members == ["scans/红卡1.jpg", "scans/绿卡2.jpeg"]
    assert info.total_uncompressed == len(jpeg()) + len(jpeg((40, 160, 40)))
    assert info.sha256 == hashlib.sha256(data).hexdigest()
    assert info.problems == []


def test_png_and_pdf_scans_are_scans():
    info = check_archive(make_zip({"a.png": png(), "b.pdf": PDF}), field="f")
    assert info.problems == []


def test_non_scan_members_are_reported_not_refused():
    data = make_zip(
        {"card.jpg": jpeg(), "说明.txt": "红卡两张".encode(), "inner.zip": make_zip({"x.jpg": jpeg()})}
    )
    info = check_archive(data, field="f")
    assert info.members == ["card.jpg", "说明.txt", "inner.zip"]
    assert len(info.problems) == 2
    assert any("说明.txt" in p and "not a scan" in p for p in info.problems)
    assert any("inner.zip" in p and "nested archive" in p for p in info.problems)


def test_scan_is_known_by_content_not_name():
    info = check_archive(make_zip({"card.jpg": b"just text", "real.txt": jpeg()}), field="f")
    assert [p.split("：")[0] for p in info.problems] == ["card.jpg"]


def test_gbk_names_from_chinese_windows_are_decoded():
    placeholder = "XXXXXX.jpg"
    data = make_zip({placeholder: jpeg()}, compression=zipfile.ZIP_STORED)
    data = data.replace(placeholder.encode(), "旧计划.jpg".encode("gbk"))
    assert check_archive(data, field="f").members == ["旧计划.jpg"]


# --- ZIP: refused --------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["../evil.jpg", "scans/../../evil.jpg", "/etc/evil.jpg", "..\\evil.jpg", "C:/evil.jpg"]
)
def test_unsafe_paths_are_refused(name):
    with pytest.raises(InvalidInput) as caught:
        check_archive(make_zip({"ok.jpg": jpeg(), name: jpeg()}), field="old_courses")
    assert "Unsafe path" in caught.value.fields["old_courses"][0]


def test_encrypted_member_is_refused():
    data = patch_zip_headers(
        make_zip({"card.jpg": jpeg()}), local_offset=6, central_offset=8, fmt="<H", value=0x0001
    )
    with pytest.raises(InvalidInput) as caught:
        check_archive(data, field="f")
    assert "password" in caught.value.message


def test_zip_bomb_is_refused_by_ratio_without_decompressing(monkeypatch):
    data = make_zip({"zeros.jpg": bytes(50 * 1024 * 1024)})
    assert len(data) < 100_000
    opened = []
    original_open = zipfile.ZipFile.open
    monkeypatch.setattr(
        zipfile.ZipFile, "open", lambda self, *a, **k: opened.append(a) or original_open(self, *a, **k)
    )
    with pytest.raises(InvalidInput) as caught:
        check_archive(data, field="f")
    assert "zip bomb" in caught.value.message
    assert opened == []


def test_many_small_highly_compressed_members_add_up_to_a_bomb():
    data = make_zip({f"{i}.jpg": bytes(50_000) for i in range(60)})
    with pytest.raises(InvalidInput, match="zip bomb"):
        check_archive(data, field="f")


def test_small_compressible_member_is_not_a_bomb():
    info = check_archive(make_zip({"card.jpg": jpeg(), "blank.txt": b" " * 20_000}), field="f")
    assert info.members == ["card.jpg", "blank.txt"]


def test_header_claiming_less_than_the_real_size_is_stopped():
    data = lie_about_size(make_zip({"card.jpg": jpeg() + bytes(1_000_000)}), 1000)
    with pytest.raises(InvalidInput) as caught:
        check_archive(data, field="f")
    assert "damaged" in caught.value.message


def test_header_claiming_more_than_the_real_size_is_refused():
    content = jpeg()
    data = lie_about_size(make_zip({"card.jpg": content}), len(content) + 5000)
    with pytest.raises(InvalidInput, match="damaged"):
        check_archive(data, field="f")


class EndlessZeros(io.RawIOBase):
    """A decompressor that ignores the declared size and never stops."""

    def __init__(self):
        self.served = 0

    def readable(self):
        return True

    def read(self, n=-1):
        n = 65536 if n is None or n < 0 else n
        if self.served > 50 * 1024 * 1024:
            raise AssertionError("the streaming counter did not stop the read")
        self.served += n
        return bytes(n)


def test_streaming_counter_stops_a_member_that_outgrows_its_header(monkeypatch):
    content = jpeg()
    data = make_zip({"card.jpg": content})
    stream = EndlessZeros()
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda self, *a, **k: stream)
    with pytest.raises(InvalidInput, match="damaged"):
        check_archive(data, field="f")
    assert stream.served <= len(content) + 2 * 65536


def test_bad_crc_is_refused():
    content = jpeg()
    data = bytearray(make_zip({"card.jpg": content}, compression=zipfile.ZIP_STORED))
    data[data.index(content) + len(content) // 2] ^= 0xFF
    with pytest.raises(InvalidInput, match="damaged"):
        check_archive(bytes(data), field="f")


def test_unsupported_compression_method_is_refused_clearly():
    data = patch_zip_headers(
        make_zip({"card.jpg": jpeg()}), local_offset=8, central_offset=10, fmt="<H", value=9
    )
    with pytest.raises(InvalidInput, match="compression method"):
        check_archive(data, field="f")


def test_text_named_zip_is_415():
    with pytest.raises(UnsupportedMediaType) as caught:
        check_archive("这不是压缩包\n".encode(), field="f")
    assert "not a ZIP or RAR archive" in caught.value.message
    assert caught.value.status == 415


def test_png_renamed_rar_is_415_and_named():
    with pytest.raises(UnsupportedMediaType) as caught:
        check_archive(png(), field="f")
    assert "not a ZIP or RAR archive" in caught.value.message
    assert "PNG" in caught.value.message


def test_empty_zip_is_refused():
    empty = make_zip({})
    assert empty.startswith(b"PK\x05\x06")
    with pytest.raises(InvalidInput, match="empty"):
        check_archive(empty, field="f")


def test_zip_with_only_a_folder_is_empty():
    with pytest.raises(InvalidInput, match="empty"):
        check_archive(make_zip({}, dirs=["scans/"]), field="f")


def test_zip_without_any_scan_is_refused():
    with pytest.raises(InvalidInput, match="no scans"):
        check_archive(make_zip({"notes.txt": b"hello"}), field="f")


def test_too_many_members_is_refused():
    data = make_zip({f"{i}.jpg": jpeg() for i in range(4)})
    with pytest.raises(InvalidInput, match="Too many files"):
        check_archive(data, field="f", max_members=3)


def test_member_flood_is_refused_before_zipfile_parses_it(monkeypatch):
    data = make_zip({f"{i}.jpg": b"" for i in range(2000)}, compression=zipfile.ZIP_STORED)
    monkeypatch.setattr(zip_archive.zipfile, "ZipFile", None)  # any use would fail loudly
    with pytest.raises(InvalidInput, match="Too many files"):
        check_archive(data, field="f")


def test_declared_total_over_the_cap_is_413():
    with pytest.raises(PayloadTooLarge) as caught:
        check_archive(make_zip({"card.jpg": jpeg()}), field="f", max_total_uncompressed=100)
    assert caught.value.status == 413


def test_upload_over_max_bytes_is_413():
    data = make_zip({"card.jpg": jpeg()})
    with pytest.raises(PayloadTooLarge):
        check_archive(data, field="f", max_bytes=len(data))
    assert check_archive(data, field="f", max_bytes=len(data) + 1).format == "zip"


def test_empty_upload_is_422():
    with pytest.raises(InvalidInput):
        check_archive(b"", field="f")


def test_truncated_zip_is_422():
    data = make_zip({"card.jpg": jpeg()})
    with pytest.raises(InvalidInput, match="damaged"):
        check_archive(data[: len(data) - 30], field="f")


# --- RAR ---------------------------------------------------------------------------------


def test_rar5_is_listed_without_unrar():
    data = make_rar5(
        [
            rar5_file("scans", b"", is_dir=True),
            rar5_file("scans/红卡.jpg", jpeg()),
            rar5_file("scans/说明.txt", b"hi"),
        ]
    )
    info = check_archive(data, field="old_courses")
    assert info.format == "rar"
    assert info.members == ["scans/红卡.jpg", "scans/说明.txt"]
    assert info.total_uncompressed == len(jpeg()) + 2
    assert info.sha256 == hashlib.sha256(data).hexdigest()
    assert len(info.problems) == 1 and "说明.txt" in info.problems[0]


def test_rar4_is_listed_without_unrar():
    data = make_rar4([rar4_file("绿卡.jpg", jpeg()), rar4_file("card2.PDF", PDF)])
    info = check_archive(data, field="f")
    assert (info.format, info.members, info.problems) == ("rar", ["绿卡.jpg", "card2.PDF"], [])


def test_rar4_names_in_winrar3_unicode_encoding_are_decoded():
    name = "旧计划/实践考核卡.jpg"
    data = make_rar4([rar4_file(name, jpeg(), raw_name=winrar3_unicode_name(name))])
    assert check_archive(data, field="f").members == [name]


def test_rar4_broken_unicode_part_falls_back_to_the_gbk_name():
    name = "旧计划.jpg"
    raw = name.encode("gbk") + b"\x00\x00\xff"  # opcodes promise more bytes than there are
    data = make_rar4([rar4_file(name, jpeg(), raw_name=raw)])
    assert check_archive(data, field="f").members == [name]


@pytest.mark.parametrize("name", ["../evil.jpg", "/abs/evil.jpg", "a\\..\\..\\evil.jpg"])
def test_rar_unsafe_paths_are_refused(name):
    with pytest.raises(InvalidInput, match="Unsafe path"):
        check_archive(make_rar5([rar5_file(name, jpeg())]), field="f")


def test_rar4_unsafe_path_is_refused():
    with pytest.raises(InvalidInput, match="Unsafe path"):
        check_archive(make_rar4([rar4_file("..\\evil.jpg", jpeg())]), field="f")


def test_rar_bomb_is_refused_by_declared_ratio():
    bomb = rar5_file("zeros.jpg", bytes(40_000), size=50 * 1024 * 1024, method=3)
    with pytest.raises(InvalidInput, match="zip bomb"):
        check_archive(make_rar5([bomb]), field="f")


def test_rar_declared_total_over_the_cap_is_413():
    with pytest.raises(PayloadTooLarge):
        check_archive(make_rar5([rar5_file("a.jpg", jpeg())]), field="f", max_total_uncompressed=10)


def test_rar_encrypted_member_is_refused():
    data = make_rar5([rar5_file("card.jpg", jpeg(), extra=rar5_encryption_record())])
    with pytest.raises(InvalidInput, match="password"):
        check_archive(data, field="f")


def test_rar_with_encrypted_headers_is_refused():
    header = rar5_block(4, vint(0) + vint(0) + bytes([15]) + b"s" * 16)
    data = RAR5_MAGIC + header + bytes(range(256)) * 4
    with pytest.raises(InvalidInput, match="password"):
        check_archive(data, field="f")


def test_rar_volume_is_refused():
    data = make_rar5([rar5_file("a.jpg", jpeg())], main_flags=0x01, end_flags=0x01)
    with pytest.raises(InvalidInput, match="Multi-volume"):
        check_archive(data, field="f")


def test_rar_too_many_members():
    data = make_rar5([rar5_file(f"{i}.jpg", jpeg()) for i in range(4)])
    with pytest.raises(InvalidInput, match="Too many files"):
        check_archive(data, field="f", max_members=3)


def test_rar_header_flood_stops_early():
    data = make_rar5([rar5_file(f"{i}.jpg", b"") for i in range(5000)])
    with pytest.raises(InvalidInput, match="Too many files"):
        check_archive(data, field="f")


@pytest.mark.parametrize(
    "data",
    [
        RAR5_MAGIC + b"\x00" * 64,
        b"Rar!\x1a\x07\x00" + b"garbage that is not a header",
        RAR5_MAGIC,
    ],
    ids=["rar5-zeros", "rar4-garbage", "magic-only"],
)
def test_unreadable_rar_headers_are_refused_clearly(data):
    with pytest.raises(InvalidInput, match="headers cannot be read"):
        check_archive(data, field="f")


def test_truncated_rar_is_refused():
    data = make_rar5([rar5_file("a.jpg", jpeg()), rar5_file("b.jpg", jpeg())])
    with pytest.raises(InvalidInput, match="headers cannot be read"):
        check_archive(data[: len(data) - 40], field="f")


def test_rar_header_with_bad_crc_is_refused():
    data = bytearray(make_rar5([rar5_file("a.jpg", jpeg())]))
    data[len(RAR5_MAGIC) + 12] ^= 0x01  # inside the file header, after the main header
    with pytest.raises(InvalidInput, match="headers cannot be read"):
        check_archive(bytes(data), field="f")


def test_empty_rar_is_refused():
    with pytest.raises(InvalidInput, match="empty"):
        check_archive(make_rar5([]), field="f")


# --- robustness ---------------------------------------------------------------------------------

_SEEDS = [
    make_zip({"a.jpg": jpeg(), "b.txt": b"x" * 300}),
    make_zip({"a.jpg": jpeg()}, compression=zipfile.ZIP_STORED),
    make_rar5([rar5_file("a.jpg", jpeg()), rar5_file("b.pdf", PDF)]),
    make_rar4([rar4_file("a.jpg", jpeg())]),
]
_MAGICS = [b"PK\x03\x04", b"PK\x05\x06", b"Rar!\x1a\x07\x00", RAR5_MAGIC, b""]


def _only_service_errors(data: bytes) -> None:
    try:
        check_archive(data, field="f")
    except ServiceError as error:
        assert error.status in (413, 415, 422)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(magic=st.sampled_from(_MAGICS), tail=st.binary(max_size=2048))
def test_random_bytes_only_raise_service_errors(magic, tail):
    _only_service_errors(magic + tail)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.sampled_from(_SEEDS),
    edits=st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), max_size=6),
    cut=st.integers(min_value=1),
)
def test_damaged_archives_only_raise_service_errors(seed, edits, cut):
    data = bytearray(seed)
    for position, value in edits:
        data[position % len(data)] = value
    _only_service_errors(bytes(data[: max(1, cut % (len(data) + 1))]))


# --- links and special files: a member that is not a plain file or folder -----------

def zip_with_link(name: str, target: str, mode: int = stat.S_IFLNK | 0o777) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("scans/红卡.jpg", jpeg())
        info = zipfile.ZipInfo(name)
        info.create_system = 3  # Unix: external_attr carries the mode
        info.external_attr = mode << 16
        zf.writestr(info, target)
    return out.getvalue()


@pytest.mark.parametrize("mode", [stat.S_IFLNK | 0o777, stat.S_IFCHR | 0o600, stat.S_IFIFO | 0o600])
def test_zip_link_or_device_member_is_refused(mode):
    with pytest.raises(InvalidInput) as err:
        check_archive(zip_with_link("link.jpg", "/etc/passwd", mode), field="f")
    assert "link.jpg" in err.value.message and "特殊文件" in err.value.message


def test_zip_regular_member_made_on_unix_is_accepted():
    info = check_archive(zip_with_link("scans/说明.txt", "x", stat.S_IFREG | 0o644), field="f")
    assert "scans/红卡.jpg" in info.members


def test_rar5_link_member_is_refused():
    redirection = vint(1 + 1 + 1 + 1 + 11) + vint(5) + vint(1) + vint(0) + vint(11) + b"/etc/passwd"
    data = make_rar5([rar5_file("scans/红卡.jpg", jpeg()), rar5_file("link.jpg", b"", extra=redirection)])
    with pytest.raises(InvalidInput, match="link.jpg"):
        check_archive(data, field="f")


def test_rar5_unix_symlink_mode_is_refused():
    data = make_rar5([rar5_file("scans/红卡.jpg", jpeg()),
                      rar5_file("link.jpg", b"/etc/passwd", host_os=1, attributes=stat.S_IFLNK | 0o777)])
    with pytest.raises(InvalidInput, match="link.jpg"):
        check_archive(data, field="f")


def test_rar4_unix_symlink_mode_is_refused():
    data = make_rar4([rar4_file("scans/a.jpg", jpeg()),
                      rar4_file("link.jpg", b"/etc/passwd", host_os=3, attributes=stat.S_IFLNK | 0o777)])
    with pytest.raises(InvalidInput, match="link.jpg"):
        check_archive(data, field="f")
