"""Names a reader cannot tell apart: invisible and bidirectional-control characters, and confusable names.

Values are already NFC-normalised by their type (``ontology.types``). What remains legal but treacherous is
reported as a warning: a name holding a zero-width or bidi-control character looks like another name, and
two nodes whose names differ only by such characters, by case, or by Cyrillic or Greek letters that look
Latin (``Hуtera`` with a Cyrillic у) make entity resolution pick the wrong one.
"""

from __future__ import annotations

import unicodedata

BIDI_CONTROLS = {0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}
# Cyrillic and Greek letters drawn like Latin ones (Unicode confusables, the common cases).
_LOOKALIKES = str.maketrans({
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c",
    "т": "t", "у": "y", "х": "x", "і": "i", "ї": "i", "ј": "j", "ѕ": "s", "ԁ": "d", "һ": "h", "ԛ": "q",
    "ԝ": "w", "α": "a", "β": "b", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t",
    "υ": "u", "χ": "x", "γ": "y",
})


def suspicious_character(text: str) -> str | None:
    """What is treacherous about ``text`` (its first invisible or bidi-control character), or None."""
    if text.isascii():  # no ASCII character is invisible (category Cf) or a bidi control
        return None
    for ch in text:
        if unicodedata.category(ch) == "Cf":
            what = "bidirectional control" if ord(ch) in BIDI_CONTROLS else "invisible"
            return f"contains the {what} character U+{ord(ch):04X} ({unicodedata.name(ch, 'unnamed')})"
    return None


def skeleton(text: str) -> str:
    """What a reader sees: compatibility forms folded, case folded, invisible characters dropped, lookalike
    letters mapped to Latin. Two names with one skeleton are confusable."""
    if text.isascii():  # the common case: NFKC leaves ASCII alone, it has no invisible or lookalike letters
        return " ".join(text.lower().split())
    folded = unicodedata.normalize("NFKC", text).casefold()
    visible = "".join(ch for ch in folded if unicodedata.category(ch) != "Cf")
    return " ".join(visible.translate(_LOOKALIKES).split())
