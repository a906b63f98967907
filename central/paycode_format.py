"""Payment codes (付款码) as the kiosk scans them: which scheme a code is, and its mask.

Formats (checked before anything is sent to a provider): WeChat Pay 18 digits starting 10-15;
Alipay 16-24 digits starting 25-30; UnionPay QuickPass 19 digits starting 62. A code is a
bearer credential: only ``mask_code(code)`` (first 2 and last 4 digits) is ever kept or logged.
"""

from __future__ import annotations

import enum

from central.errors import ApiError


class Scheme(enum.StrEnum):
    WECHAT = "wechat"
    ALIPAY = "alipay"
    UNIONPAY = "unionpay"


def scheme_of(code: object) -> Scheme:
    """The scheme of a well-formed code; 400 ``paycode_malformed`` naming what is wrong."""
    if not isinstance(code, str) or not code:
        raise _malformed("must be the scanned payment code, as text of digits")
    if not (code.isascii() and code.isdigit()):
        raise _malformed("must contain digits only")
    prefix = int(code[:2]) if len(code) >= 2 else -1
    if 10 <= prefix <= 15:
        if len(code) != 18:
            raise _malformed("a WeChat Pay code (starting 10-15) has 18 digits")
        return Scheme.WECHAT
    if 25 <= prefix <= 30:
        if not 16 <= len(code) <= 24:
            raise _malformed("an Alipay code (starting 25-30) has 16 to 24 digits")
        return Scheme.ALIPAY
    if prefix == 62:
        if len(code) != 19:
            raise _malformed("a UnionPay QuickPass code (starting 62) has 19 digits")
        return Scheme.UNIONPAY
    raise _malformed("is not a WeChat Pay (10-15), Alipay (25-30) or UnionPay (62) code")


def mask_code(code: str) -> str:
    """First 2 and last 4 digits (``13..0000``): all that is ever stored of a code."""
    return f"{code[:2]}..{code[-4:]}"


def _malformed(message: str) -> ApiError:
    return ApiError(400, "paycode_malformed", field="code", message=message)
