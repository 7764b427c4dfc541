"""Photo checks against images drawn here with Pillow around one public-domain face (fixtures/portraits/)."""

from __future__ import annotations

import hashlib
import io
import os
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw, ImageOps

from service.candidates.portrait import stand_in_portrait
from service.errors import InvalidInput, PayloadTooLarge, ServiceError, UnsupportedMediaType
from service.uploads.photo import (
    MAX_PHOTO_BYTES,
    check_graduation_photo,
    check_identity_photo,
    inspect_image,
    sniff_format,
)

CHSI_BLUE = (100, 197, 235)  # the usual light-blue reference for graduate images
WHITE = (255, 255, 255)
LIGHT_GREY = (220, 220, 220)
DARK_RED = (139, 0, 0)


def portrait(background=CHSI_BLUE, size=(480, 640)) -> Image.Image:
    """A head-and-shoulders stand-in: a real face (fixtures/portraits/) above drawn shoulders."""
    return stand_in_portrait(size, background)


def encode(image: Image.Image, fmt: str = "JPEG", **options) -> bytes:
    out = io.BytesIO()
    if fmt == "JPEG":
        options.setdefault("quality", 90)
    image.save(out, fmt, **options)
    return out.getvalue()


# --- inspect_image ---------------------------------------------------------------


def test_jpeg_is_described_from_its_content():
    data = encode(portrait())
    info = inspect_image(data, field="photo")
    assert (info.format, info.width, info.height) == ("jpeg", 480, 640)
    assert info.sha256 == hashlib.sha256(data).hexdigest()


def test_png_renamed_jpg_passes_as_png():
    # The API never sees the name; what was "photo.jpg" on the applicant's disk is a PNG.
    check = check_graduation_photo(encode(portrait(), "PNG"), field="photo.jpg")
    assert check.info.format == "png"
    assert check.passed, check.reasons


def test_phone_jpeg_with_exif_rotation_is_measured_upright():
    stored = portrait().transpose(Image.Transpose.ROTATE_90)  # stored as 640×480
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    check = check_graduation_photo(encode(stored, exif=exif), field="photo")
    assert (check.info.width, check.info.height) == (480, 640)
    assert check.passed, check.reasons


@pytest.mark.parametrize(
    ("fmt", "name"),
    [("GIF", "GIF"), ("WEBP", "WEBP"), ("BMP", "BMP"), ("TIFF", "TIFF"), ("PDF", "PDF")],
)
def test_other_real_formats_are_415_and_named(fmt, name):
    data = encode(portrait(size=(240, 320)), fmt)
    with pytest.raises(UnsupportedMediaType) as caught:
        inspect_image(data, field="photo")
    assert caught.value.status == 415
    assert name in caught.value.message
    assert caught.value.fields["photo"]


def test_random_bytes_are_415():
    data = random.Random(2024).randbytes(4096)  # fixed seed: no magic number by chance
    with pytest.raises(UnsupportedMediaType) as caught:
        inspect_image(data, field="photo")
    assert "not a recognisable image" in caught.value.message


def test_empty_file_is_422():
    with pytest.raises(InvalidInput) as caught:
        inspect_image(b"", field="photo")
    assert caught.value.fields == {"photo": [caught.value.message]}


def test_two_megabytes_or_more_is_413():
    noise = Image.frombytes("RGB", (1000, 1000), os.urandom(3_000_000))
    data = encode(noise, "PNG")
    assert len(data) >= MAX_PHOTO_BYTES
    with pytest.raises(PayloadTooLarge) as caught:
        check_graduation_photo(data, field="photo")
    assert caught.value.status == 413


def test_size_limit_is_exclusive():
    data = encode(portrait())
    with pytest.raises(PayloadTooLarge):
        inspect_image(data, field="photo", max_bytes=len(data))
    assert inspect_image(data, field="photo", max_bytes=len(data) + 1).format == "jpeg"


def test_truncated_jpeg_is_422():
    data = encode(portrait())
    with pytest.raises(InvalidInput) as caught:
        inspect_image(data[: len(data) // 2], field="photo")
    assert caught.value.status == 422
    assert "damaged" in caught.value.message


def test_png_with_broken_chunk_crc_is_422():
    data = bytearray(encode(portrait(), "PNG"))
    data[40] ^= 0xFF  # inside the first IDAT chunk, so its CRC no longer matches
    with pytest.raises(InvalidInput):
        inspect_image(bytes(data), field="photo")


def test_decompression_bomb_is_refused_before_decoding():
    # 7000×7000 1-bit compresses to a few KB but would decode to 49 megapixels.
    data = encode(Image.new("1", (7000, 7000)), "PNG")
    assert len(data) < 100_000
    with pytest.raises(InvalidInput) as caught:
        inspect_image(data, field="photo")
    assert "megapixels" in caught.value.message


def test_sixteen_bit_and_palette_pngs_are_read():
    grey16 = Image.new("I;16", (480, 640), 60000)
    assert inspect_image(encode(grey16, "PNG"), field="photo").format == "png"
    palette = portrait(WHITE).convert("P")
    assert check_graduation_photo(encode(palette, "PNG"), field="photo").passed


# --- identity photos -----------------------------------------------------------


def test_identity_photo_accepts_a_clear_photo():
    assert check_identity_photo(encode(portrait()), field="id_front").width == 480


def test_identity_photo_refuses_a_tiny_one():
    with pytest.raises(InvalidInput) as caught:
        check_identity_photo(encode(portrait(size=(150, 200))), field="id_front")
    assert "200×200" in caught.value.fields["id_front"][0]


# --- graduation photo ----------------------------------------------------------


@pytest.mark.parametrize("background", [CHSI_BLUE, WHITE, LIGHT_GREY, (67, 142, 219), (173, 216, 230)])
@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_good_portraits_pass(background, fmt):
    check = check_graduation_photo(encode(portrait(background), fmt), field="photo")
    assert check.passed, check.reasons
    assert check.reasons == []


def test_hair_reaching_into_the_top_band_still_passes():
    image = portrait()
    ImageDraw.Draw(image).ellipse((170, -40, 310, 60), fill=(20, 15, 10))
    check = check_graduation_photo(encode(image), field="photo")
    assert check.passed, check.reasons


def test_dark_red_background_fails_with_a_reason():
    check = check_graduation_photo(encode(portrait(DARK_RED)), field="photo")
    assert not check.passed
    assert any("背景" in r and "background" in r for r in check.reasons)


def test_mid_grey_background_fails():
    check = check_graduation_photo(encode(portrait((128, 128, 128))), field="photo")
    assert not check.passed


def test_landscape_fails_on_proportions():
    check = check_graduation_photo(encode(portrait(size=(640, 480))), field="photo")
    assert not check.passed
    assert any("portrait" in r for r in check.reasons)


def test_tiny_photo_fails_on_size():
    check = check_graduation_photo(encode(portrait(size=(120, 160))), field="photo")
    assert not check.passed
    assert any("240×320" in r for r in check.reasons)


def test_framed_photo_fails():
    framed = ImageOps.expand(portrait(), border=6, fill=(0, 0, 0))
    check = check_graduation_photo(encode(framed), field="photo")
    assert not check.passed
    assert any("frame" in r for r in check.reasons)


def test_thick_white_frame_on_blue_fails():
    framed = ImageOps.expand(portrait(size=(456, 616)), border=12, fill=WHITE)
    check = check_graduation_photo(encode(framed, "PNG"), field="photo")
    assert any("frame" in r for r in check.reasons)


def test_transparent_background_fails():
    image = portrait().convert("RGBA")
    ImageDraw.Draw(image).rectangle((0, 0, 479, 100), fill=(0, 0, 0, 0))
    check = check_graduation_photo(encode(image, "PNG"), field="photo")
    assert any("transparent" in r for r in check.reasons)


def test_hard_failures_raise_rather_than_return_reasons():
    with pytest.raises(UnsupportedMediaType):
        check_graduation_photo(encode(portrait(), "GIF"), field="photo")


# --- sniffing and robustness -------------------------------------------------


def test_sniff_names_common_mistakes():
    assert sniff_format(b"\x00\x00\x00\x18ftypheic" + b"\x00" * 8) == "heic"
    assert sniff_format(b"%PDF-1.7\n") == "pdf"
    assert sniff_format(b"hello") is None


_SEED_IMAGES = [encode(portrait(size=(48, 64))), encode(portrait(size=(48, 64)), "PNG")]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=4096))
def test_random_bytes_only_raise_service_errors(data):
    try:
        inspect_image(data, field="photo")
    except ServiceError:
        pass


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.sampled_from(_SEED_IMAGES),
    edits=st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), max_size=8),
    cut=st.integers(min_value=1),
)
def test_damaged_images_only_raise_service_errors(seed, edits, cut):
    data = bytearray(seed)
    for position, value in edits:
        data[position % len(data)] = value
    try:
        check_graduation_photo(bytes(data[: max(1, cut % (len(data) + 1))]), field="photo")
    except ServiceError:
        pass
