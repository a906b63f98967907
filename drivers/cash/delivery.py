"""What became of one event offered to the receiver (``on_event``): recorded, or why not.

The poll loop acknowledges a device's report only once it is recorded, and a host that must
hold a report itself (ICT: its device never repeats one) needs to know why it was refused:
``EventNotRecorded`` is the receiver's "not recorded now, report it again" (a full or read-only
disk, for as long as it lasts); any other exception is a failure (a bug), given a bounded
number of offers.
"""

from __future__ import annotations

from dataclasses import dataclass

from drivers.cash.api import EventNotRecorded


@dataclass(frozen=True)
class Delivery:
    """The outcome of one ``on_event`` call: ``error`` is what the receiver raised, if it did."""

    error: Exception | None = None

    @property
    def recorded(self) -> bool:
        return self.error is None

    @property
    def deferred(self) -> bool:
        """The receiver asked for the event again later (it raised ``EventNotRecorded``)."""
        return isinstance(self.error, EventNotRecorded)


RECORDED = Delivery()
