"""Payment codes (付款码): which provider a scanned code belongs to, and how to show one safely.

The customer shows a code in WeChat, Alipay, UnionPay QuickPass or 网上国网 and the kiosk scans
it (被扫, "micropay"). A code is checked here before it leaves the kiosk, against the formats the
providers publish:

========================  ===========  ==================
provider                  digits       starts with
========================  ===========  ==================
WeChat Pay                18           10, 11, ... 15
Alipay                    16 to 24     25, 26, ... 30
UnionPay QuickPass        19           62
========================  ===========  ==================

网上国网 shows the code of the wallet the customer pays with, so it is one of these. The
formats do not overlap: a code is at most one provider's.

A payment code is a bearer credential (valid about a minute): it is never logged, journaled
or printed except through ``mask``, which keeps the first 2 and the last 4 characters.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

MASK_KEEP_FIRST = 2
MASK_KEEP_LAST = 4
# Shorter than this, 2 + 4 characters shown would be most of the code: all of it is hidden.
MASK_MIN_LENGTH = 12


class Provider(enum.Enum):
    WECHAT = "wechat"
    ALIPAY = "alipay"
    UNIONPAY = "unionpay"


class CodeProblem(enum.Enum):
    """Why a scanned code is not a payment code; the screen words each one."""

    EMPTY = "empty"  # nothing but the terminator (a misconfigured scanner)
    NOT_DIGITS = "not_digits"  # letters or signs: a URL, a bar code from a product, ...
    UNKNOWN_FORMAT = "unknown_format"  # digits, but no provider's length and prefix


@dataclass(frozen=True)
class _Format:
    provider: Provider
    min_length: int
    max_length: int
    prefixes: tuple[str, ...]


FORMATS = (
    _Format(Provider.WECHAT, 18, 18, tuple(str(p) for p in range(10, 16))),
    _Format(Provider.ALIPAY, 16, 24, tuple(str(p) for p in range(25, 31))),
    _Format(Provider.UNIONPAY, 19, 19, ("62",)),
)


@dataclass(frozen=True)
class Classification:
    """Exactly one of ``provider`` (a usable code) and ``problem`` is set."""

    provider: Provider | None = None
    problem: CodeProblem | None = None

    @property
    def ok(self) -> bool:
        return self.provider is not None


def classify(code: str) -> Classification:
    """The provider whose published format ``code`` has, or the problem with it."""
    if not code:
        return Classification(problem=CodeProblem.EMPTY)
    # str.isdigit() is true for "²" and "١": only ASCII digits are a payment code.
    if not (code.isascii() and code.isdigit()):
        return Classification(problem=CodeProblem.NOT_DIGITS)
    for spec in FORMATS:
        if spec.min_length <= len(code) <= spec.max_length and code.startswith(spec.prefixes):
            return Classification(provider=spec.provider)
    return Classification(problem=CodeProblem.UNKNOWN_FORMAT)


def mask(code: str) -> str:
    """``code`` with all but its first 2 and last 4 characters as ``*`` (all of it when short).

    The length is kept: it tells a technician which format was scanned, and nothing more.
    """
    if len(code) < MASK_MIN_LENGTH:
        return "*" * len(code)
    hidden = len(code) - MASK_KEEP_FIRST - MASK_KEEP_LAST
    return code[:MASK_KEEP_FIRST] + "*" * hidden + code[-MASK_KEEP_LAST:]
