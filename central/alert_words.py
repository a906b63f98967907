"""An alert's line of detail, in English (stored, logged, sent to webhooks) and in Chinese.

Each kind has one template per language with the same named fields. The English line is what
``central.alerts`` stores; the console shows an operator reading Chinese the Chinese line by
reading the fields back out of the stored English with a pattern made from the same template,
so the two can never say different things. A line no template matches (written by an older
release) is shown as stored.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping

from central.schema_fleet import AlertKind

TEMPLATES: Mapping[AlertKind, tuple[str, str]] = {
    AlertKind.OFFLINE: (
        "no heartbeat since {since} ({minutes} min)",
        "自 {since} 起无心跳（{minutes} 分钟）",
    ),
    AlertKind.CASHBOX_FULL: (
        "cash box {pct}% full ({notes} notes)",
        "钱箱已满 {pct}%（{notes} 张）",
    ),
    AlertKind.PAPER: ("printer paper {paper}", "打印纸{paper}"),
    AlertKind.ACCEPTOR: ("acceptor {state}", "纸币器：{state}"),
    AlertKind.OUTBOX: (
        "{pending} payments waiting, oldest {minutes} min",
        "{pending} 笔缴费待上传，最早一笔已等 {minutes} 分钟",
    ),
    AlertKind.SUSPECT: (
        "{count} suspect transaction(s) to resolve",
        "{count} 笔可疑交易待处理",
    ),
    AlertKind.CLOCK: ("clock off by {offset} s", "时钟偏差 {offset} 秒"),
}

# Field values that are words themselves; anything else (numbers, times) is shown as it is.
_ZH_VALUES: Mapping[str, str] = {
    "out": "已用完",
    "near end": "将用完",
    "validator_jam": "识别器卡币",
    "cassette_jam": "钱箱卡币",
    "cassette_full": "钱箱已满",
    "cassette_removed": "钱箱已取出",
    "cheated": "疑似作弊",
    "failure": "硬件故障",
    "disconnected": "未连接",
    "fault": "故障",
    "not_started": "未启动",
}


def english(kind: AlertKind, **fields: object) -> str:
    return TEMPLATES[kind][0].format(**fields)


def _pattern(template: str) -> re.Pattern[str]:
    parts = []
    for literal, field, _spec, _conv in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if field:
            parts.append(f"(?P<{field}>.+?)")
    return re.compile("".join(parts) + r"\Z", re.DOTALL)


_PATTERNS = {kind: _pattern(en) for kind, (en, _zh) in TEMPLATES.items()}


def shown(kind: str, detail: str, lang: str) -> str:
    """The stored English ``detail`` of an alert of ``kind``, in ``lang`` ("zh" or "en")."""
    if lang != "zh" or kind not in TEMPLATES:
        return detail
    alert_kind = AlertKind(kind)
    found = _PATTERNS[alert_kind].match(detail)
    if found is None:
        return detail
    fields = {k: _ZH_VALUES.get(v, v) for k, v in found.groupdict().items()}
    return TEMPLATES[alert_kind][1].format(**fields)
