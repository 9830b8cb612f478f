"""Hand-built .xlsx files, part by part, for attacks openpyxl would never write.

A minimal workbook is five XML parts; each builder swaps one of them (or the zip around
them) for something hostile: a cell bomb, a huge cell, a DTD, broken XML, a lying size.
"""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

from tests.services.sheets import HEADERS

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
ROOT_RELS = (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}">'
             f'<Relationship Id="rId1" Type="{DOC_RELS}/officeDocument" Target="xl/workbook.xml"/>'
             "</Relationships>")
WORKBOOK = (f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}">'
            '<sheets><sheet name="Danh sách" sheetId="1" r:id="rId1"/></sheets></workbook>')
WORKBOOK_RELS = (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}">'
                 f'<Relationship Id="rId1" Type="{DOC_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
                 "</Relationships>")
LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10}">' for n in range(2, 10))
          .replace("&lol1;", "&lol;")
          + "]>")
XXE = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def _column(n: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def inline(ref: str, text: str) -> str:
    """One inline-string cell."""
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def sheet_xml(rows: list[list[str]], *, prolog: str = "") -> str:
    """A worksheet part with these rows of inline strings (prolog goes before the root element)."""
    body = "".join(f'<row r="{r}">' + "".join(inline(f"{_column(c)}{r}", v) for c, v in enumerate(row, 1))
                   + "</row>" for r, row in enumerate(rows, 1))
    return f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<worksheet xmlns="{MAIN}"><sheetData>{body}' \
           "</sheetData></worksheet>"


def valid_rows() -> list[list[str]]:
    """Headers and one valid provincial row of Đà Nẵng, as text."""
    values = {"level": "tinh", "issued_on": "15/12/2025", "province": "Đà Nẵng",
              "product_name": "Nước mắm Nam Ô", "product_group": "2", "producer_name": "Cơ sở Nam Ô"}
    return [list(HEADERS), [values.get(h, "") for h in HEADERS]]


def write_parts(path: Path, *, sheet: str | bytes | None = None, extra: dict[str, str | bytes] | None = None,
                replace: dict[str, str | bytes] | None = None) -> Path:
    """A deflated .xlsx of the minimal parts, `replace` swapping some, `extra` adding more."""
    parts: dict[str, str | bytes] = {
        "[Content_Types].xml": CONTENT_TYPES, "_rels/.rels": ROOT_RELS, "xl/workbook.xml": WORKBOOK,
        "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
        "xl/worksheets/sheet1.xml": sheet if sheet is not None else sheet_xml(valid_rows()),
    }
    parts.update(replace or {})
    parts.update(extra or {})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def cell_bomb(path: Path, cells: int) -> Path:
    """`cells` empty cells in rows of 16,000 (within the row limit, far beyond the columns read)."""
    per_row = 16_000
    rows = "".join(f'<row r="{r + 1}">' + "<c/>" * min(per_row, cells - r * per_row) + "</row>"
                   for r in range((cells + per_row - 1) // per_row))
    header = "".join(inline(f"{_column(c)}1", h) for c, h in enumerate(HEADERS, 1))
    xml = f'<worksheet xmlns="{MAIN}"><sheetData><row r="1">{header}</row>{rows}</sheetData></worksheet>'
    return write_parts(path, sheet=xml)


def big_cell(path: Path, chars: int) -> Path:
    """One row whose product name is `chars` characters long."""
    rows = valid_rows()
    rows[1][HEADERS.index("product_name")] = "a" * chars
    return write_parts(path, sheet=sheet_xml(rows))


def lie_about_size(path: Path, member: str, declared: int) -> Path:
    """Patch the zip so `member` declares `declared` unpacked bytes (local and central headers)."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    for signature, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        name_at = 30 if signature == b"PK\x03\x04" else 46
        start = 0
        while (start := data.find(signature, start)) != -1:
            name_length = struct.unpack_from("<H", data, start + 28 if name_at == 46 else start + 26)[0]
            if data[start + name_at:start + name_at + name_length] == name:
                struct.pack_into("<I", data, start + size_at, declared)
            start += 4
    path.write_bytes(bytes(data))
    return path
