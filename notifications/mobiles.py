"""Mainland China mobile numbers, as the archive writes them and as an SMS provider wants them.

The archive keeps phones as people typed them (`+86 138 0000 0001`, `138-0000-0001`,
`0086 13800000001`), and many customers' contact phones are landlines (`+86 532 8000 1001`),
which cannot receive an SMS. `mobile` finds the number behind the spelling, or says it is none.
"""

from __future__ import annotations

import re

#: Written between the digits by people; nothing else may be there.
_SEPARATORS = re.compile(r"[\s\-().]")
#: 11 digits, 1 then a network digit 3–9 (13x–19x), after an optional country code.
_MOBILE = re.compile(r"(?:\+86|0086|86)?(1[3-9]\d{9})")


def mobile(phone: str | None) -> str | None:
    """`phone` as `+86` and its 11 digits (E.164, what providers take), or None when it is
    not a mainland mobile number (empty, a landline, a typo)."""
    if not phone:
        return None
    found = _MOBILE.fullmatch(_SEPARATORS.sub("", phone))
    return None if found is None else f"+86{found.group(1)}"
