"""A stand-in portrait with a real face, for the demo and the tests.

The machine check of the 毕业照 looks for a face (service/uploads/face.py), which
a drawn ellipse is not.  The head comes from fixtures/portraits/ (a public-domain
NASA portrait, see the README there) and is set on a plain background above
drawn shoulders, so the background and frame checks see an ordinary ID photo.
"""
from __future__ import annotations

from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw

HEAD = Path(__file__).resolve().parents[2] / "fixtures" / "portraits" / "eileen-collins-head.png"
LIGHT_BLUE = (100, 197, 235)


@cache
def _head() -> Image.Image:
    with Image.open(HEAD) as image:
        return image.convert("RGB")


def stand_in_portrait(size: tuple[int, int] = (480, 640), background=LIGHT_BLUE, *,
                      head_width: float = 0.55, centre_x: float = 0.5, top: float = 0.08) -> Image.Image:
    """Head and shoulders on ``background``; ``head_width`` is a share of the picture's width."""
    width, height = size
    image = Image.new("RGB", size, background)
    draw = ImageDraw.Draw(image)
    draw.polygon([(0, height), (width * 0.1, height * 0.62), (width * 0.9, height * 0.62), (width, height)],
                 fill=(30, 30, 45))
    paste_head(image, head_width=head_width, centre_x=centre_x, top=top)
    return image


def paste_head(image: Image.Image, *, head_width: float, centre_x: float, top: float) -> None:
    """Set one more head into ``image`` (an oval cut-out), e.g. for a photo with two people."""
    head = _head()
    head_w = max(1, round(image.width * head_width))
    head_h = max(1, round(head_w * head.height / head.width))
    mask = Image.new("L", (head_w, head_h), 0)
    ImageDraw.Draw(mask).ellipse((0, 0, head_w - 1, head_h - 1), fill=255)
    left = round(image.width * centre_x - head_w / 2)
    image.paste(head.resize((head_w, head_h), Image.Resampling.LANCZOS), (left, round(image.height * top)), mask)
