"""Rules for text a reader meets, with no model behind them: bidirectional controls,
web addresses and phone numbers, and the one way a number becomes a ``tel:`` link.

The schema's validators (``schema.py``), the YAML reader (which refuses controls even in
comments) and the templates' filters all ask here. Layer 1: the standard library only.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "BIDI_CONTROLS",
    "BIDI_HINT",
    "PHONE_DIGITS",
    "bidi_name",
    "find_bidi_control",
    "is_phone",
    "is_web_url",
    "tel_uri",
]

BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
"""Bidirectional embedding, override and isolate controls: invisible characters that
reorder how the text around them is shown, so displayed text can read differently from
what was written (the "Trojan Source" trick). Right-to-left letters need none of them:
pages isolate each piece of content and let the browser find its direction."""

BIDI_HINT = (
    "delete it (it is invisible in most editors and reorders how the text is shown);"
    " right-to-left letters are allowed and need no control character"
)


def find_bidi_control(text: str) -> re.Match[str] | None:
    """The first bidirectional control character in ``text``, if any."""
    return BIDI_CONTROLS.search(text)


def bidi_name(char: str) -> str:
    """'U+202E RIGHT-TO-LEFT OVERRIDE': how messages name a control character."""
    return f"U+{ord(char):04X} {unicodedata.name(char, 'CONTROL')}"


_WEB_URL = re.compile(r"https?://[^\s<>\"'`]+")


def is_web_url(url: object) -> bool:
    """Only http(s) addresses are sources or links: a 'javascript:' URL must never be."""
    return isinstance(url, str) and _WEB_URL.fullmatch(url) is not None


_PHONE = re.compile(r"\+?[0-9][0-9 ()./-]*[0-9]")
PHONE_DIGITS = (3, 15)
"""A phone number has 3 (a short code) to 15 (the E.164 limit) digits."""


def is_phone(phone: str) -> bool:
    """Only digits, spaces, brackets, dots and dashes (a leading + for a country code),
    with 3 to 15 digits."""
    digits = sum(c.isdigit() for c in phone)
    return _PHONE.fullmatch(phone) is not None and PHONE_DIGITS[0] <= digits <= PHONE_DIGITS[1]


def tel_uri(phone: str) -> str:
    """A phone number as a ``tel:`` link target (RFC 3966): the digits, a leading + kept.

    The one place a number becomes a link. A national trunk prefix written in brackets
    after a country code ("+44 (0)20 ...") is not dialled from abroad, so it is dropped.
    """
    phone = phone.strip()
    if phone.startswith("+"):
        phone = re.sub(r"\(\s*0\s*\)", "", phone)
    digits = re.sub(r"\D", "", phone)
    return f"tel:{'+' if phone.startswith('+') else ''}{digits}"
