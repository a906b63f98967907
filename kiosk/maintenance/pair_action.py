"""The maintenance screen's ``pair`` action: fetch this kiosk's secret with a one-time code
(kiosk/pairing.py) in the background, refused when a secret source that outranks pairing
would undo it at the next start; the outcome is ``view["pair"]`` and an audit event, never the
code or the secret. Part of ``kiosk.maintenance.Maintenance``.
"""

from __future__ import annotations

import logging
from typing import Any

from kiosk import pairing
from kiosk.background import Done
from kiosk.events import Audit
from kiosk.maintenance.screen_state import ScreenState
from kiosk.maintenance_actions import Action

log = logging.getLogger("kiosk.maintenance")


class PairAction(ScreenState):
    """The ``pair`` action and its outcome."""

    def _pair(self, code: str) -> None:
        """Fetch this kiosk's secret with a one-time code, in the background; the outcome is
        ``view["pair"]`` (state, and what to do). Audited; never the code or the secret."""
        assert self.user is not None
        cfg = self.engine.config
        if (self.view.get("pair") or {}).get("state") == "busy":
            return  # one attempt at a time: a second tap must not spend a second code
        if cfg.secret_source is not None and cfg.secret_source.outranks_pairing:
            # The next start would read that again, not the file pairing writes: the code is
            # not spent on a pairing that would be undone by the next restart.
            self._audit(Action.PAIR, "refused_overridden", source=str(cfg.secret_source))
            self.view["pair"] = {"state": "overridden", "source": str(cfg.secret_source)}
            return
        try:
            normal = pairing.normalise_code(code)
        except pairing.MalformedCode as exc:
            self._audit(Action.PAIR, "refused_malformed")
            self.view["pair"] = {"state": "malformed", "detail": str(exc)}
            return
        self._audit(Action.PAIR, "started", kiosk_id=cfg.kiosk.id, url=cfg.central.url)
        self.view["pair"] = {"state": "busy"}
        actor = self.user.technician_id
        self.engine.run_background(
            lambda: pairing.pair(cfg.central.url, cfg.kiosk.id, normal, cfg.central.secret_file),
            lambda done: self._paired(done, actor),
        )

    def _paired(self, done: Done[Any], actor: str) -> None:
        error = done.error
        if error is None:
            state = "paired"
        elif isinstance(error, pairing.CodeRefused):
            state = "refused"
        elif isinstance(error, pairing.ServerUnreachable):
            state = "unreachable"
        elif isinstance(error, pairing.SecretNotWritable):
            state = "not_writable"
        else:
            state = "failed"
        detail = {} if error is None else {"detail": str(error)}
        audit = Audit(str(Action.PAIR), state, detail)
        self.engine.journal.append_many(lambda _c: [audit.entry(None)], actor=actor)
        if error is None:
            log.warning("paired with the central server: the new secret is in use")
            self.engine.use_secret(done.get(), "paired on the maintenance screen")
        else:
            log.warning("pairing failed: %s", error)
        # The outcome is shown to whoever started it, if still there (else it is audited only).
        if self.user is not None and self.user.technician_id == actor:
            self.view["pair"] = {
                "state": state,
                **detail,
                "kiosk_id": self.engine.config.kiosk.id,
                "url": self.engine.config.central.url,
                "secret_file": str(self.engine.config.central.secret_file),
            }
