"""The one font the 毕业生登记表 is printed with, and what it can draw.

Input is checked against the same font the PDF embeds, so a character that
would print as an empty box is refused when the candidate types it instead of
being discovered on paper at the county office.
"""
from __future__ import annotations

import os
import threading
import unicodedata

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_PATH = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
FONT_PACKAGE = "fonts-wqy-microhei"
FONT_NAME = "WenQuanYiMicroHei"

# Characters the line wrapper consumes; they never reach the page as glyphs.
_LAYOUT_CHARS = frozenset("\n")

_lock = threading.Lock()
_font: TTFont | None = None


def load_font() -> TTFont:
    """Load and register the font once per process (parsing the 5 MB TTC is slow)."""
    global _font
    with _lock:
        if _font is None:
            if not os.path.isfile(FONT_PATH):
                raise RuntimeError(
                    f"CJK font {FONT_PATH} is missing; install the Debian/Ubuntu package "
                    f"'{FONT_PACKAGE}' (apt-get install -y {FONT_PACKAGE})"
                )
            font = TTFont(FONT_NAME, FONT_PATH, subfontIndex=0)
            pdfmetrics.registerFont(font)
            _font = font
        return _font


def check_printable(text: str) -> list[str]:
    """Return the distinct characters of ``text`` the embedded font cannot draw, in order.

    Glyph 0 is .notdef (the "tofu" box), so a cmap entry pointing at it counts
    as missing; control characters are never drawable even where the font maps
    them (Micro Hei maps NUL).
    """
    cmap = load_font().face.charToGlyph
    missing: list[str] = []
    for ch in text:
        if ch in _LAYOUT_CHARS or ch in missing:
            continue
        if not cmap.get(ord(ch)) or unicodedata.category(ch) == "Cc":
            missing.append(ch)
    return missing


def describe_chars(chars: list[str]) -> str:
    """Name characters for a message; invisible ones would otherwise read as nothing."""
    return "、".join(f"“{ch}”(U+{ord(ch):04X})" if ch.isprintable() else f"U+{ord(ch):04X}" for ch in chars)
