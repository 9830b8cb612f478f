"""JSON embedded in HTML (data blocks, inline scripts, attributes): one encoder for all of them.

Inside <script>, the HTML parser looks for `</script` and, after `<!--`, for `<script` too (the
"script data escaped" states): a value holding them could end the block early or swallow the rest
of the page. JSON lets any character be written as \\uXXXX, so `<`, `>`, `&` and `'` are, and with
them U+2028/U+2029 (line terminators in older JavaScript). The data parses back unchanged.
"""

from __future__ import annotations

import json
from typing import Any

from markupsafe import Markup

_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "'": "\\u0027",
                          "\u2028": "\\u2028", "\u2029": "\\u2029"})


def script_json(value: Any) -> Markup:
    """`value` as compact JSON with no character that HTML could read as markup."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return Markup(text.translate(_ESCAPES))  # noqa: S704 - JSON with every markup character escaped
