"""Demo data for `make run` and tests: the fixture candidates, registered and verified as the demo needs.

``load_demo`` imports fixtures/candidates.json and then, through the real code
paths and the sandbox providers, uploads stand-in photos for the candidates its
``demo`` section names (the sandbox verifies them, or sends the one with the test
marker to manual review) and posts 学信网 authorisations.  Running it again
changes nothing: a verified identity or a stored prior diploma is left alone.
Never run it against a production database.
"""
from __future__ import annotations

import io
import json
from pathlib import Path

from PIL import Image, ImageDraw

from service.candidates import diploma
from service.candidates import importing as candidate_import
from service.candidates import records as candidates
from service.candidates.portrait import stand_in_portrait
from service.identity import providers as identity_providers
from service.identity import verification as identity
from service.uploads.blobs import BlobStore
from service.web.auth import Principal

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"
LOADER = Principal("province", "sxzk demo load")
DEMO_AUTHORISATION = "DEMO-CHSI-AUTH"


def stand_in_photo(kind: str, seed: str) -> bytes:
    """A clearly marked stand-in of the right shape: a real face on a light background (JPEG).

    The face is one public-domain portrait (fixtures/portraits/), so the 毕业照's
    face check passes; the "DEMO" label says it is not the candidate.
    """
    size = {"id_photo": (480, 640), "id_card": (856, 540), "holding_id": (600, 800)}[kind]
    width, height = size
    shade = int(seed[-2:]) % 40
    if kind == "id_card":
        image = Image.new("RGB", size, (100 + shade, 197, 235))
        draw = ImageDraw.Draw(image)
        draw.rectangle((20, 20, width - 20, height - 20), outline=(60, 60, 60), width=4, fill=(235, 240, 245))
        draw.ellipse((width * 0.62, height * 0.22, width * 0.86, height * 0.62), fill=(96, 70, 58))
        for i in range(4):
            draw.rectangle((60, 80 + i * 70, width * 0.5, 100 + i * 70), fill=(120, 120, 120))
    else:
        image = stand_in_portrait(size, (100 + shade, 197, 235))
        draw = ImageDraw.Draw(image)
        if kind == "holding_id":
            draw.rectangle((width * 0.35, height * 0.66, width * 0.75, height * 0.84), fill=(235, 240, 245))
    draw.text((10, 10), f"DEMO {seed} {kind}", fill=(0, 0, 0))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def load_demo(db, blob_root, *, fixtures: Path = FIXTURES, registry: Path | None = None,
              catalogue: dict | None = None) -> dict:
    """Import the demo candidates and bring each to the identity and 学信网 state the fixture names.

    ``catalogue``: the majors the candidates' course results are checked against
    (``import_candidates``); the running app's rulebook passes its own.
    """
    path = fixtures / "candidates.json"
    text = path.read_text(encoding="utf-8")
    imported = candidate_import.import_candidates(db, candidate_import.parse_file(text), actor=LOADER,
                                                 catalogue=catalogue)
    demo = json.loads(text).get("demo", {})
    blobs = BlobStore(Path(blob_root))
    provider = identity_providers.SandboxIdentityProvider()
    chsi = diploma.ChsiSandbox(registry or fixtures / "chsi_sandbox.json")
    uploaded, authorised = [], []
    for number in demo.get("identity_verified", []) + demo.get("identity_manual_review", []):
        person = candidates.get_candidate(db, number)
        if person["identity_status"] != "unverified":
            continue
        files = {kind: stand_in_photo(kind, number) for kind in identity.required_kinds(person)}
        identity.upload_photos(db, blobs, provider, _portal(number), number, files)
        uploaded.append(number)
    for number in demo.get("chsi_authorised", []):
        if diploma.record_of(db, number) is None:
            diploma.authorise(db, chsi, _portal(number), number, DEMO_AUTHORISATION)
            authorised.append(number)
    statuses = {n: candidates.get_candidate(db, n)["identity_status"] for n in
                demo.get("identity_verified", []) + demo.get("identity_manual_review", [])}
    return {**imported, "photos_uploaded": uploaded, "prior_diplomas_authorised": authorised,
            "identity": statuses}


def _portal(exam_number: str) -> Principal:
    return Principal("portal", "sxzk demo load", candidate=exam_number)
