"""The 毕业照's face check: blank pictures, several people, small or misplaced faces go to review.

The faces are one public-domain portrait (fixtures/portraits/) set into pictures
drawn here; photo-like variants (size, background, format, scale) must pass.
"""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw

from service.candidates.portrait import paste_head, stand_in_portrait
from service.uploads.face import detect_faces, face_reasons
from service.uploads.photo import check_graduation_photo

PALE_BLUE = (180, 215, 240)


def encode(image: Image.Image, fmt: str = "JPEG") -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **({"quality": 88} if fmt == "JPEG" else {}))
    return out.getvalue()


def test_blank_pale_blue_picture_goes_to_review_with_the_reason():
    # issue 17 finding 7: a 5400×7200 PNG with nothing on it passed every machine check
    check = check_graduation_photo(encode(Image.new("RGB", (5400, 7200), PALE_BLUE), "PNG"), field="photo")
    assert not check.passed
    assert check.reasons == ["未检测到人脸 / No face was found in the photo"]


def test_head_and_shoulders_without_a_face_goes_to_review():
    image = Image.new("RGB", (480, 640), PALE_BLUE)
    draw = ImageDraw.Draw(image)
    draw.ellipse((130, 120, 350, 400), fill=(96, 70, 58))
    draw.polygon([(0, 640), (48, 460), (432, 460), (480, 640)], fill=(30, 30, 45))
    check = check_graduation_photo(encode(image), field="photo")
    assert check.reasons == ["未检测到人脸 / No face was found in the photo"]


def test_two_people_go_to_review():
    image = stand_in_portrait(head_width=0.42, centre_x=0.27)
    paste_head(image, head_width=0.42, centre_x=0.73, top=0.1)
    check = check_graduation_photo(encode(image), field="photo")
    assert not check.passed
    assert len(check.reasons) == 1 and check.reasons[0].startswith("检测到多张人脸（2 张）")


def test_a_face_far_away_is_too_small():
    check = check_graduation_photo(encode(stand_in_portrait(head_width=0.15, top=0.2)), field="photo")
    assert not check.passed
    assert len(check.reasons) == 1 and check.reasons[0].startswith("人脸过小")
    assert "too small" in check.reasons[0]


@pytest.mark.parametrize(("centre_x", "top"), [(0.2, 0.08), (0.8, 0.08), (0.5, 0.5)])
def test_a_face_off_centre_goes_to_review(centre_x, top):
    image = stand_in_portrait(head_width=0.4, centre_x=centre_x, top=top)
    check = check_graduation_photo(encode(image), field="photo")
    assert len(check.reasons) == 1 and check.reasons[0].startswith("人脸未居中")
    assert "off-centre" in check.reasons[0]


def test_a_face_filling_the_picture_is_too_large():
    image = stand_in_portrait(head_width=1.4, top=-0.1)
    assert face_reasons(image)[0].startswith("人脸过大")


@pytest.mark.parametrize(
    ("size", "background", "fmt"),
    [
        ((480, 640), (100, 197, 235), "JPEG"),
        ((358, 441), (255, 255, 255), "JPEG"),  # the common 35×45 mm print at 254 dpi
        ((240, 320), (220, 220, 220), "PNG"),
        ((1200, 1600), (173, 216, 230), "JPEG"),
        ((3000, 4000), (100, 197, 235), "JPEG"),  # a phone photo: shrunk before detection
    ],
)
def test_portraits_of_many_sizes_and_backgrounds_pass(size, background, fmt):
    check = check_graduation_photo(encode(stand_in_portrait(size, background), fmt), field="photo")
    assert check.passed, check.reasons


def test_detected_face_is_measured_in_the_photo_s_own_pixels():
    # detection runs on a shrunk copy; the box must come back at full scale
    [(x, y, w, h)] = detect_faces(stand_in_portrait((2400, 3200)))
    assert 0.25 < w / 2400 < 0.5 and 0.3 < (x + w / 2) / 2400 < 0.7


def test_the_demo_stand_in_passes_the_graduation_check():
    from service.candidates.demo import stand_in_photo

    check = check_graduation_photo(stand_in_photo("id_photo", "010119100003"), field="photo")
    assert check.passed, check.reasons
