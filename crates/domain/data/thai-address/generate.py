"""Builds address.json from the data in the geothai wheel (PyPI), checked as it goes.

    pip download --no-deps geothai==3.2.1 -d /tmp/geothai
    python3 generate.py /tmp/geothai/geothai-3.2.1-py3-none-any.whl

The output nests sub-districts in districts in provinces, one area a line so that a new release
reads as a diff: [code, name_th, name_en, children] and, for a sub-district,
[code, name_th, name_en, [postcode, ...]].
"""

import hashlib
import json
import re
import sys
import zipfile
from pathlib import Path

WHEEL_SHA256 = "d4d41349c0c8ad07a579956b95d39f7b191426b5681daf66ab1ee522122d8e9b"
DATA_VERSION = "2026.10.23"
OUT = Path(__file__).with_name("address.json")


def main(wheel: Path) -> None:
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        sys.exit(f"{wheel}: sha256 {digest}, expected {WHEEL_SHA256}; update the pin on purpose")
    with zipfile.ZipFile(wheel) as z:
        schema = z.read("geothai/_schema.py").decode()
        if f'DATA_VERSION: str = "{DATA_VERSION}"' not in schema:
            sys.exit(f"the wheel does not hold GeoThai/data {DATA_VERSION}")
        rows = {n: json.loads(z.read(f"geothai/_data/{n}.json")) for n in
                ("provinces", "districts", "subdistricts")}
    for level, items in rows.items():
        check(len({r[0] for r in items}) == len(items), f"a {level} code is used twice")

    sub_districts: dict[str, list] = {}
    for code, name_th, name_en, postal in rows["subdistricts"]:
        postcodes = postal.split(" ")
        check(re.fullmatch(r"\d{6}", code), f"sub-district code {code}")
        check(all(re.fullmatch(r"\d{5}", p) for p in postcodes), f"postcodes of {code}: {postal}")
        check(name_th and name_en, f"names of {code}")
        sub_districts.setdefault(code[:4], []).append([int(code), name_th, name_en, postcodes])

    districts: dict[str, list] = {}
    for code, name_th, name_en in rows["districts"]:
        check(re.fullmatch(r"\d{4}", code), f"district code {code}")
        check(code in sub_districts, f"district {code} has no sub-district")
        check(name_th and name_en, f"names of {code}")
        districts.setdefault(code[:2], []).append([int(code), name_th, name_en, sub_districts.pop(code)])
    check(not sub_districts, f"sub-districts without a district: {sorted(sub_districts)}")

    provinces = []
    for code, name_th, name_en in rows["provinces"]:
        check(re.fullmatch(r"\d{2}", code), f"province code {code}")
        check(code in districts, f"province {code} has no district")
        provinces.append([int(code), name_th, name_en, districts.pop(code)])
    check(not districts, f"districts without a province: {sorted(districts)}")

    OUT.write_text(render(provinces), encoding="utf-8")
    counts = (len(provinces), len(rows["districts"]), len(rows["subdistricts"]))
    print(f"{OUT.name}: {counts[0]} provinces, {counts[1]} districts, {counts[2]} sub-districts, "
          f"{OUT.stat().st_size} bytes")


def render(provinces: list) -> str:
    def compact(value) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    head = compact({"source": f"GeoThai/data {DATA_VERSION} via geothai 3.2.1 (PyPI)",
                    "licence": "CC-BY-4.0"})
    lines = [head[:-1] + ',"provinces":[']
    for p, (code, name_th, name_en, districts) in enumerate(provinces):
        lines.append(compact([code, name_th, name_en])[:-1] + ",[")
        for d, (code, name_th, name_en, subs) in enumerate(districts):
            lines.append(compact([code, name_th, name_en])[:-1] + ",[")
            lines.extend(compact(s) + ("," if i < len(subs) - 1 else "") for i, s in enumerate(subs))
            lines.append("]]" + ("," if d < len(districts) - 1 else ""))
        lines.append("]]" + ("," if p < len(provinces) - 1 else ""))
    lines.append("]}")
    return "\n".join(lines) + "\n"


def check(ok, what: str) -> None:
    if not ok:
        sys.exit(f"bad source data: {what}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(Path(sys.argv[1]))
