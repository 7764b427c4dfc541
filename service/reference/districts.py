"""Shanxi's 区县 (rulesets/workflow/districts.yaml): the official list candidates register in.

A district is named in full, city first (太原市小店区), which is how the
authority's screens show it and what county-office credentials carry.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from service.reference import files as reference
from service.rules import bound
from service.yamlreader import Reader

FILE = "rulesets/workflow/districts.yaml"

_CODE = re.compile(r"^14[0-9]{4}\Z")


@dataclass(frozen=True)
class District:
    name: str  # full name, e.g. 太原市小店区
    city: str  # e.g. 太原市
    short: str  # e.g. 小店区
    code: str  # GB/T 2260, e.g. 140105


def table_for(root: str) -> dict[str, District]:
    return read(*reference.load("districts", root))


def read(rel: str, doc) -> dict[str, District]:
    check = Reader(rel)
    out: dict[str, District] = {}
    if check.mapping(doc, "", required={"source", "cities"}):
        check.source(doc)
        cities = doc["cities"]
        if not isinstance(cities, dict) or not cities:
            check.bad(doc, "cities", "cities", "a mapping of 地级市 to their 区县")
            cities = {}
        codes: dict[str, str] = {}
        for city, spec in cities.items():
            field = f"cities.{city}"
            if not (isinstance(city, str) and city.endswith("市")):
                check.bad(cities, city, field, "a 地级市 name ends in 市")
            if not check.mapping(spec, field, required={"code", "districts"}):
                continue
            if not _CODE.match(str(spec["code"])):
                check.bad(spec, "code", f"{field}.code", "a six-digit Shanxi division code (14xxxx), quoted")
            members = spec["districts"]
            if not isinstance(members, dict) or not members:
                check.bad(spec, "districts", f"{field}.districts", "a mapping of 区县 name to its division code")
                continue
            for short, code in members.items():
                where = f"{field}.districts.{short}"
                if not isinstance(short, str) or not short.endswith(("区", "县", "市")):
                    check.bad(members, short, where, "a 区县 name ends in 区, 县 or 市")
                    continue
                if not (isinstance(code, str) and _CODE.match(code)):
                    check.bad(members, short, where, "a six-digit Shanxi division code (14xxxx), quoted")
                    continue
                if code in codes:
                    check.bad(members, short, where, f"code {code} is also {codes[code]}")
                codes[code] = f"{city}{short}"
                out[f"{city}{short}"] = District(f"{city}{short}", city, short, code)
    check.done()
    return out


def table() -> dict[str, District]:
    """{full name: District} of the bundle in force, in file order."""
    return bound.table(FILE, read)


def is_district(name) -> bool:
    return isinstance(name, str) and name in table()


def city_of(name: str) -> str | None:
    district = table().get(name)
    return district.city if district else None


def listing() -> list[dict]:
    """Cities with their districts, as GET /v1/districts returns them."""
    cities: dict[str, list[dict]] = {}
    for d in table().values():
        cities.setdefault(d.city, []).append({"name": d.name, "short": d.short, "code": d.code})
    return [{"city": city, "districts": members} for city, members in cities.items()]
