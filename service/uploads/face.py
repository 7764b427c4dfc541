"""Is there one frontal face, of a plausible size and place, in the 毕业照?

OpenCV's Haar cascade for frontal faces ships inside the opencv-python-headless
wheel (``cv2.data.haarcascades``), so nothing is fetched at run time.  A photo
that fails here is not refused: the reasons send it to manual review, since a
detector can miss a real face (glasses, strong light) as well as find a face in
a patterned shirt.
"""

from __future__ import annotations

import math
import threading

import cv2
import numpy as np
from PIL import Image

# Haar cascades look at 24×24 windows; faces in a portrait need far fewer pixels
# than a phone takes, and the detector's time grows with the pixel count, so big
# photos are shrunk first (a 5400×7200 photo to 450×600).
_DETECT_MAX_SIDE = 640
_MIN_FACE_PIXELS = 24
_SCALE_STEP = 1.1
_MIN_NEIGHBOURS = 5

# A head-and-shoulders portrait: the face (the detector's box spans brow to chin,
# cheek to cheek) is a good part of the width, its centre in the middle third
# across and in the upper part of the picture.
FACE_MIN_WIDTH_SHARE = 0.20
FACE_MAX_WIDTH_SHARE = 0.75
FACE_CENTRE_X = (1 / 3, 2 / 3)
FACE_CENTRE_Y = (0.15, 0.60)

_CASCADE = cv2.data.haarcascades + "haarcascade_frontalface_default.xml"
# One classifier per thread: OpenCV does not promise that detectMultiScale may
# run on one CascadeClassifier from several threads at once.
_local = threading.local()


def face_reasons(image: Image.Image) -> list[str]:
    """Reasons (Chinese first) why ``image`` does not show one well-placed face; [] if it does."""
    faces = detect_faces(image)
    if not faces:
        return ["未检测到人脸 / No face was found in the photo"]
    if len(faces) > 1:
        return [
            f"检测到多张人脸（{len(faces)} 张），毕业照只能有考生本人 / "
            f"{len(faces)} faces were found; the graduation photo must show the candidate alone"
        ]
    return _placement_reasons(faces[0], image.size)


def detect_faces(image: Image.Image) -> list[tuple[float, float, float, float]]:
    """Frontal faces as (x, y, width, height) in ``image``'s own pixels."""
    factor = max(1, math.ceil(max(image.size) / _DETECT_MAX_SIDE))
    small = image.reduce(factor) if factor > 1 else image
    grey = np.asarray(small.convert("L"))
    found = _classifier().detectMultiScale(
        grey,
        scaleFactor=_SCALE_STEP,
        minNeighbors=_MIN_NEIGHBOURS,
        minSize=(_MIN_FACE_PIXELS, _MIN_FACE_PIXELS),
    )
    return [tuple(float(v * factor) for v in box) for box in found]


def _classifier() -> cv2.CascadeClassifier:
    classifier = getattr(_local, "classifier", None)
    if classifier is None:
        classifier = cv2.CascadeClassifier(_CASCADE)
        if classifier.empty():  # a broken install, not a bad photo
            raise RuntimeError(f"the face cascade could not be loaded from {_CASCADE}")
        _local.classifier = classifier
    return classifier


def _placement_reasons(face: tuple[float, float, float, float], size: tuple[int, int]) -> list[str]:
    x, y, w, h = face
    width, height = size
    share = w / width
    reasons = []
    if share < FACE_MIN_WIDTH_SHARE:
        reasons.append(
            f"人脸过小：脸宽约为照片宽度的 {share:.0%}，应不少于 {FACE_MIN_WIDTH_SHARE:.0%}，请拍摄头肩近照 / "
            f"The face is too small: about {share:.0%} of the photo's width, at least "
            f"{FACE_MIN_WIDTH_SHARE:.0%} is needed; take a head-and-shoulders picture"
        )
    elif share > FACE_MAX_WIDTH_SHARE:
        reasons.append(
            f"人脸过大：脸宽约为照片宽度的 {share:.0%}，应不超过 {FACE_MAX_WIDTH_SHARE:.0%} / "
            f"The face is too large: about {share:.0%} of the photo's width, at most {FACE_MAX_WIDTH_SHARE:.0%}"
        )
    centre_x, centre_y = (x + w / 2) / width, (y + h / 2) / height
    if not (FACE_CENTRE_X[0] <= centre_x <= FACE_CENTRE_X[1] and FACE_CENTRE_Y[0] <= centre_y <= FACE_CENTRE_Y[1]):
        reasons.append(
            "人脸未居中：应位于照片中间偏上的位置 / "
            "The face is off-centre: it should be in the middle, in the upper part of the photo"
        )
    return reasons
