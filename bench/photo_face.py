"""How long the 毕业照's face check takes, per photo, on big and ordinary pictures.

The detector runs on a copy shrunk to at most 640 px on the long side
(service/uploads/face.py); these figures show what that costs against the whole
check (decode, background, frame, face) for a phone-sized 5400×7200 picture.

    python -m bench.photo_face [--repeat 10]
"""
from __future__ import annotations

import argparse
import io
import statistics
import time

from PIL import Image

from service.candidates.portrait import stand_in_portrait
from service.uploads.face import face_reasons
from service.uploads.photo import MAX_PHOTO_BYTES, check_graduation_photo

from . import common


def _median_ms(action, repeat: int) -> float:
    action()  # the first call loads the cascade
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 1)


def _encode(image: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def run(repeat: int = 10) -> dict:
    started = common.machine()
    big_portrait = stand_in_portrait((5400, 7200))
    small_portrait = stand_in_portrait((480, 640))
    blank_png = _encode(Image.new("RGB", (5400, 7200), (180, 215, 240)), "PNG")
    big_jpeg = _encode(big_portrait, "JPEG", quality=60)
    figures = {
        "face_only_5400x7200_ms": _median_ms(lambda: face_reasons(big_portrait), repeat),
        "face_only_480x640_ms": _median_ms(lambda: face_reasons(small_portrait), repeat),
        "whole_check_blank_5400x7200_png_ms": _median_ms(
            lambda: check_graduation_photo(blank_png, field="photo"), repeat),
        "blank_png_bytes": len(blank_png),
    }
    if len(big_jpeg) < MAX_PHOTO_BYTES:
        figures["whole_check_portrait_5400x7200_jpeg_ms"] = _median_ms(
            lambda: check_graduation_photo(big_jpeg, field="photo"), repeat)
        figures["portrait_jpeg_bytes"] = len(big_jpeg)
    return common.record("photo_face", figures, {"repeat": repeat}, started)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=10)
    run(parser.parse_args(argv).repeat)


if __name__ == "__main__":
    main()
