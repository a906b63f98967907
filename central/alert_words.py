"""An alert's line of detail: its kind's fields, worded in English and in Chinese.

Each kind has one template per language with the same named fields. An alert keeps its fields
(``alerts.detail_fields``, a JSON object) beside its English line (``alerts.detail``: logged,
sent to webhooks, shown to an operator reading English); the console words the fields in
Chinese for an operator reading Chinese, so the two lines can never say different things. A
row without fields (raised before migration 0008 with a line it could not read) is shown as
stored.
"""

from __future__ import annotations

import json
import string
from collections.abc import Mapping
from dataclasses import dataclass

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


def field_names(template: str) -> frozenset[str]:
    return frozenset(f for _lit, f, _spec, _conv in string.Formatter().parse(template) if f)


@dataclass(frozen=True)
class AlertDetail:
    """What an alert of ``kind`` says, as its template's fields (values as text)."""

    kind: AlertKind
    fields: Mapping[str, str]

    @classmethod
    def of(cls, kind: AlertKind, **fields: object) -> AlertDetail:
        """Raises KeyError naming a field the kind's template lacks or has and was not given."""
        wanted = field_names(TEMPLATES[kind][0])
        if set(fields) != wanted:
            raise KeyError(f"{kind.value} takes {sorted(wanted)}, not {sorted(fields)}")
        return cls(kind, {name: str(value) for name, value in fields.items()})

    @property
    def english(self) -> str:
        return TEMPLATES[self.kind][0].format(**self.fields)

    @property
    def fields_json(self) -> str:
        """The fields as ``alerts.detail_fields`` stores them."""
        return json.dumps(dict(self.fields), ensure_ascii=False, sort_keys=True)


def shown(kind: str, detail: str, detail_fields: str | None, lang: str) -> str:
    """An alert's line in ``lang`` ("zh" or "en"), from its stored English ``detail`` and
    ``detail_fields``; the English line when it is asked for or cannot be worded otherwise."""
    if lang != "zh" or kind not in TEMPLATES or detail_fields is None:
        return detail
    alert_kind = AlertKind(kind)
    try:
        fields = json.loads(detail_fields)
    except ValueError:
        return detail
    zh = TEMPLATES[alert_kind][1]
    if not isinstance(fields, dict) or set(fields) != field_names(zh):
        return detail  # fields of another release's template: its own English says it
    return zh.format(**{name: _ZH_VALUES.get(str(v), str(v)) for name, v in fields.items()})
