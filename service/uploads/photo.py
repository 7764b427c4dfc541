"""Real checks of uploaded photos: the 三照/两照 identity photos and the 毕业照.

Everything is decided from the bytes, never from the file name or the browser's
content type: a phone happily names a HEIC ``.jpg``, and a renamed PNG is still a
perfectly good PNG.  Hard failures (not an image, wrong real format, too large,
damaged) raise; the graduation photo's softer, machine-checkable rules (size,
proportions, background, frame, one well-placed face) come back as reasons so the workflow can send the
photo to manual review at the county office instead of rejecting it outright.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from PIL import Image, ImageChops, ImageOps, ImageStat

from service.errors import ServiceError, UnsupportedMediaType
from service.uploads.face import face_reasons
from service.uploads.limits import check_size, invalid

# The guide says "照片文件小于2M".  2M is read as 2 MiB, which is what Windows
# shows as "2 MB", so the limit matches what applicants see on their own computer.
MAX_PHOTO_BYTES = 2 * 1024 * 1024

# Our own decompression-bomb limit, checked on the header's dimensions before any
# pixel is decoded.  Pillow's global Image.MAX_IMAGE_PIXELS is left alone: it is
# process-wide, shared with every other user of Pillow in the service.
# 40 MP is above any phone camera in use for these photos.
MAX_PIXELS = 40_000_000

IDENTITY_MIN_SIDE = 200

GRADUATION_MIN_WIDTH = 240
GRADUATION_MIN_HEIGHT = 320
GRADUATION_RATIO_MIN = 1.2  # height / width; 480×640 is 1.33
GRADUATION_RATIO_MAX = 1.6

# Background sampling: the top band and the upper halves of the side bands are
# background on any head-and-shoulders portrait; the lower sides are shoulders.
_BAND_SHARE = 0.08
_SIDE_DEPTH_SHARE = 0.5
_RING = 2  # the outermost pixels, where a frame would be
_BACKGROUND_MIN_SHARE = 0.85  # a little hair or shadow in the band is normal
_MIN_SAMPLED_SIDE = 32

# Thresholds in Pillow's HSV scale, where H, S and V all run 0..255.
_NEUTRAL_MAX_S = round(0.12 * 255)  # white, 白灰 and light grey
_NEUTRAL_MIN_V = round(0.72 * 255)
_BLUE_MIN_H = round(185 / 360 * 255)  # sky blue to the usual ID-photo blue
_BLUE_MAX_H = round(250 / 360 * 255)
_BLUE_MIN_S = round(0.10 * 255)
_BLUE_MAX_S = round(0.85 * 255)  # vivid cyan/royal blue is not 浅蓝
_BLUE_MIN_V = round(0.60 * 255)

# A frame is a solid ring whose colour stands clearly apart from the background.
_FRAME_MAX_STDDEV = 12.0
_FRAME_MIN_DISTANCE = 40.0

# Pillow names JPEGs carrying a multi-picture (MPF) segment, which many phones
# write, "MPO"; they are ordinary JPEG files.
_PILLOW_FORMATS = {"PNG": "png", "JPEG": "jpeg", "MPO": "jpeg"}

_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_PDF_SEARCH = 1024  # PDF readers accept junk before %PDF- within the first KiB


@dataclass(frozen=True)
class ImageInfo:
    format: str  # 'png' | 'jpeg', from the content
    width: int  # as displayed, i.e. after the EXIF orientation is applied
    height: int
    sha256: str


@dataclass
class PhotoCheck:
    info: ImageInfo
    passed: bool
    reasons: list[str] = dataclass_field(default_factory=list)


def sniff_format(data: bytes) -> str | None:
    """Name the real type of ``data`` from its magic bytes, or None if unknown.

    Covers what people actually upload by mistake, so a refusal can name it.
    """
    head = data[:16]
    if head.startswith(_PNG_MAGIC):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if head[4:8] == b"ftyp":
        return "avif" if head[8:12] in (b"avif", b"avis") else "heic"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if head.startswith(b"Rar!\x1a\x07"):
        return "rar"
    if head.startswith(b"7z\xbc\xaf\x27\x1c"):
        return "7z"
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head[:2] == b"BM":
        return "bmp"
    if b"%PDF-" in data[:_PDF_SEARCH]:
        return "pdf"
    return None


def inspect_image(data: bytes, *, field: str, max_bytes: int = MAX_PHOTO_BYTES) -> ImageInfo:
    """Decode ``data`` for real and describe it; refuse anything but a sound PNG/JPEG.

    ``max_bytes`` is exclusive (the guide's "小于2M"): a file of exactly
    ``max_bytes`` is refused with 413.
    """
    info, _ = _load(data, field=field, max_bytes=max_bytes)
    return info


def check_identity_photo(data: bytes, *, field: str) -> ImageInfo:
    """The 证件照 and the two ID-card photos of 三照/两照: a clear image under 2 MB."""
    info, _ = _load(data, field=field, max_bytes=MAX_PHOTO_BYTES)
    if min(info.width, info.height) < IDENTITY_MIN_SIDE:
        raise invalid(
            field,
            f"照片太小，至少需要 {IDENTITY_MIN_SIDE}×{IDENTITY_MIN_SIDE} 像素，当前为 "
            f"{info.width}×{info.height} / The photo is too small: at least "
            f"{IDENTITY_MIN_SIDE}×{IDENTITY_MIN_SIDE} pixels are needed, this one is "
            f"{info.width}×{info.height}",
        )
    return info


def check_graduation_photo(data: bytes, *, field: str) -> PhotoCheck:
    """The 毕业照: hard failures raise, the machine-checkable rules give reasons.

    ``passed=False`` is not an error: the photo goes to manual review at the
    county office, as the guide provides when the online check fails.
    """
    info, image = _load(data, field=field, max_bytes=MAX_PHOTO_BYTES)
    reasons = _size_reasons(info) + _proportion_reasons(info)
    # A tiny image has no meaningful border strip; the size reason covers it.
    if min(image.size) >= _MIN_SAMPLED_SIDE:
        reasons += _background_reasons(image) + face_reasons(image)
    return PhotoCheck(info=info, passed=not reasons, reasons=reasons)


# --- decoding --------------------------------------------------------------


def _load(data: bytes, *, field: str, max_bytes: int) -> tuple[ImageInfo, Image.Image]:
    check_size(data, field=field, max_bytes=max_bytes, noun=("照片文件", "The photo"))
    _check_magic(data, field=field)
    image, pillow_format = _decode(data, field=field)
    info = ImageInfo(
        format=_PILLOW_FORMATS[pillow_format],
        width=image.width,
        height=image.height,
        sha256=hashlib.sha256(data).hexdigest(),
    )
    return info, image


def _check_magic(data: bytes, *, field: str) -> None:
    kind = sniff_format(data)
    if kind in ("png", "jpeg"):
        return
    if kind is None:
        message = (
            "文件内容不是可识别的图片，请上传 PNG 或 JPEG 照片 / "
            "The file is not a recognisable image; upload a PNG or JPEG photo"
        )
    else:
        message = (
            f"照片格式不受支持：文件实际为 {kind.upper()}，只接受 PNG 或 JPEG / "
            f"Unsupported photo format: the file is really {kind.upper()}; only PNG or JPEG is accepted"
        )
    raise UnsupportedMediaType(message, fields={field: [message]}, detected=kind)


def _decode(data: bytes, *, field: str) -> tuple[Image.Image, str]:
    """Fully decode the image; return it upright (EXIF orientation applied), in RGB(A).

    Phones often store a portrait as a landscape frame plus an EXIF rotation;
    what counts is the picture as people see it.
    """
    try:
        # verify() catches broken PNG chunks/CRCs but leaves the image unusable,
        # and load() is what catches truncated JPEG data, so the file is opened twice.
        with Image.open(io.BytesIO(data), formats=tuple(_PILLOW_FORMATS)) as probe:
            _check_pixels(probe.size, field=field)
            probe.verify()
        with Image.open(io.BytesIO(data), formats=tuple(_PILLOW_FORMATS)) as image:
            _check_pixels(image.size, field=field)
            image.load()
            pillow_format = image.format
            upright = _rgb(_upright(image))
    except ServiceError:
        raise
    except Exception:  # noqa: BLE001 - untrusted input: Pillow raises many types
        raise invalid(
            field,
            "图片已损坏或不完整，无法解码 / The image is damaged or incomplete and cannot be decoded",
        ) from None
    if pillow_format not in _PILLOW_FORMATS:
        raise invalid(field, "图片无法识别 / The image could not be identified")
    return upright, pillow_format


def _upright(image: Image.Image) -> Image.Image:
    try:
        return ImageOps.exif_transpose(image)
    except Exception:  # noqa: BLE001 - a garbled EXIF block does not make the picture bad
        return image.copy()


def _rgb(image: Image.Image) -> Image.Image:
    """Bring 16-bit, palette, CMYK … images to RGB(A) once, so later steps see one mode."""
    has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info
    wanted = "RGBA" if has_alpha else "RGB"
    return image if image.mode == wanted else image.convert(wanted)


def _check_pixels(size: tuple[int, int], *, field: str) -> None:
    width, height = size
    if width <= 0 or height <= 0 or width * height > MAX_PIXELS:
        raise invalid(
            field,
            f"图片像素数超出限制（最多 {MAX_PIXELS // 1_000_000} 百万像素） / "
            f"The image has too many pixels (at most {MAX_PIXELS // 1_000_000} megapixels)",
        )


# --- graduation photo rules --------------------------------------------------


def _size_reasons(info: ImageInfo) -> list[str]:
    if info.width >= GRADUATION_MIN_WIDTH and info.height >= GRADUATION_MIN_HEIGHT:
        return []
    return [
        (
            f"照片尺寸过小：至少需要 {GRADUATION_MIN_WIDTH}×{GRADUATION_MIN_HEIGHT} 像素（宽×高），"
            f"当前为 {info.width}×{info.height} / The photo is too small: at least "
            f"{GRADUATION_MIN_WIDTH}×{GRADUATION_MIN_HEIGHT} pixels (width×height) are needed, "
            f"this one is {info.width}×{info.height}"
        )
    ]


def _proportion_reasons(info: ImageInfo) -> list[str]:
    ratio = info.height / info.width
    if GRADUATION_RATIO_MIN <= ratio <= GRADUATION_RATIO_MAX:
        return []
    return [
        (
            f"照片应为竖版证件照比例（高÷宽在 {GRADUATION_RATIO_MIN} 到 {GRADUATION_RATIO_MAX} 之间，"
            f"常用 480×640），当前为 {ratio:.2f} / The photo should be an upright portrait "
            f"(height÷width between {GRADUATION_RATIO_MIN} and {GRADUATION_RATIO_MAX}, usually "
            f"480×640); this one is {ratio:.2f}"
        )
    ]


def _background_reasons(image: Image.Image) -> list[str]:
    bands = _background_bands(image)
    reasons = []
    if _has_transparency(image, bands):
        reasons.append("照片背景不能是透明的 / The photo background must not be transparent")
    rgb_bands = [band.convert("RGB") for band in bands]
    if _light_share(rgb_bands) < _BACKGROUND_MIN_SHARE:
        reasons.append(
            "背景颜色不符合要求：应为浅蓝色、白色或浅灰色 / "
            "The background must be light blue, white or light grey"
        )
    if _has_frame(image, rgb_bands):
        reasons.append("照片不得添加边框 / The photo must not have a border or frame")
    return reasons


def _background_bands(image: Image.Image) -> list[Image.Image]:
    """Crop the top band and the upper side bands, inside the outermost ring."""
    width, height = image.size
    depth = max(1, round(height * _BAND_SHARE))
    side = max(1, round(width * _BAND_SHARE))
    top_end = min(height, _RING + depth)
    side_end = max(top_end + 1, round(height * _SIDE_DEPTH_SHARE))
    boxes = [
        (_RING, _RING, width - _RING, top_end),
        (_RING, top_end, _RING + side, side_end),
        (width - _RING - side, top_end, width - _RING, side_end),
    ]
    return [image.crop(box) for box in boxes if box[2] > box[0] and box[3] > box[1]]


def _ring(image: Image.Image) -> list[Image.Image]:
    """The outermost pixels along the top and the upper halves of the sides."""
    width, height = image.size
    side_end = round(height * _SIDE_DEPTH_SHARE)
    boxes = [(0, 0, width, _RING), (0, 0, _RING, side_end), (width - _RING, 0, width, side_end)]
    return [image.crop(box).convert("RGB") for box in boxes]


def _has_transparency(image: Image.Image, bands: list[Image.Image]) -> bool:
    if image.mode != "RGBA":
        return False
    return any(band.getchannel("A").getextrema()[0] < 255 for band in bands)


def _light_share(rgb_bands: list[Image.Image]) -> float:
    """Share of band pixels that are light neutral or light blue."""
    total = sum(band.width * band.height for band in rgb_bands)
    light = sum(_count_light(band) for band in rgb_bands)
    return light / total if total else 0.0


def _count_light(rgb: Image.Image) -> int:
    hue, sat, val = rgb.convert("HSV").split()
    neutral = _both(_mask(sat, 0, _NEUTRAL_MAX_S), _mask(val, _NEUTRAL_MIN_V, 255))
    blue = _both(
        _both(_mask(hue, _BLUE_MIN_H, _BLUE_MAX_H), _mask(sat, _BLUE_MIN_S, _BLUE_MAX_S)),
        _mask(val, _BLUE_MIN_V, 255),
    )
    return ImageChops.lighter(neutral, blue).histogram()[255]


def _mask(channel: Image.Image, low: int, high: int) -> Image.Image:
    return channel.point(lambda x: 255 if low <= x <= high else 0)


def _both(a: Image.Image, b: Image.Image) -> Image.Image:
    return ImageChops.darker(a, b)


def _has_frame(image: Image.Image, rgb_bands: list[Image.Image]) -> bool:
    """A uniform outer ring whose colour differs from the background inside it."""
    ring = _combined_stat(_ring(image))
    if max(ring.stddev) > _FRAME_MAX_STDDEV:
        return False
    # The median, not the mean, so a thick frame reaching into the band or a
    # little hair does not drag the background colour towards it.
    inner = _combined_stat(rgb_bands).median
    distance = sum((a - b) ** 2 for a, b in zip(ring.mean, inner, strict=False)) ** 0.5
    return distance > _FRAME_MIN_DISTANCE


def _combined_stat(rgb_images: list[Image.Image]) -> ImageStat.Stat:
    histogram = [sum(values) for values in zip(*(im.histogram() for im in rgb_images), strict=False)]
    return ImageStat.Stat(histogram)


# --- helpers ------------------------------------------------------------------
