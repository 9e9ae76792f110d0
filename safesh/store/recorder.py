"""The record stage for front ends: turn a Report and what was done with it into the audit
log and the approval store. Every call here is failure-tolerant: a store that cannot be
written is reported on stderr, never turned into a reason to run or to fail an allowed
command. Where the store decides whether something may run (a grant), failure means no."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up

if TYPE_CHECKING:
    from safesh.api import Report
    from safesh.store import ApprovalRequest, Store

_OUTCOMES = {
    "run": "ran",
    "run-notify": "ran",
    "run-approved": "approved",
    "prompt": "prompted",
    "request-approval": "refused",
    "refuse": "refused",
    "would-run": "would-run",
    "would-refuse": "would-refuse",
}


@dataclass
class Recorder:
    """One store connection for one decision, opened on first use."""

    agent: str | None = None
    session: str | None = None
    _store: Store | None = field(default=None, init=False)
    _failed: bool = field(default=False, init=False)

    def store(self) -> Store | None:
        if self._store is None and not self._failed:
            from safesh.store import Store

            try:
                self._store = Store()
            except Exception as error:
                self._failed = True
                sys.stderr.write(f"safesh: {error}\n")
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    def record(
        self,
        report: Report,
        action: str,
        mode: str,
        approval_id: str | None = None,
        outcome: str | None = None,
        note: str | None = None,
    ) -> int | None:
        from safesh.store import AuditEvent, record_quietly

        store = self.store()
        if store is None:
            return None
        event = AuditEvent(
            command=report.command,
            cwd=report.analysis.context.cwd,
            decision=report.decision,
            rules=tuple(report.rule_ids()),
            mode=mode,
            outcome=outcome or _OUTCOMES.get(action, action),
            agent=self.agent,
            session=self.session,
            approval_id=approval_id,
            note=note,
        )
        return record_quietly(event, store=store)

    def finish(self, record_id: int | None, exit_status: int, duration_s: float) -> None:
        from safesh.store import finish_quietly

        store = self.store()
        if store is not None:
            finish_quietly(record_id, exit_status, duration_s, store=store)

    def consume_grant(self, report: Report) -> bool:
        """Whether a human approved exactly this command, here, under these rules."""
        store = self.store()
        if store is None or report.rules_fingerprint is None:
            return False
        try:
            grant = store.consume_grant(
                report.command, report.analysis.context.cwd, report.rules_fingerprint
            )
        except Exception as error:
            sys.stderr.write(f"safesh: cannot read approvals: {error}\n")
            return False
        return grant is not None

    def request_approval(self, report: Report) -> str | None:
        """Leave a request a human can approve; its id, or None if the store is unusable."""
        store = self.store()
        if store is None or report.rules_fingerprint is None:
            return None
        decisive = report.decisive_findings()
        reason = "; ".join(dict.fromkeys(f.reason for f in decisive)) or report.decision
        try:
            request = store.request_approval(
                report.command,
                report.analysis.context.cwd,
                report.rules_fingerprint,
                [f.rule_id for f in decisive],
                reason,
                agent=self.agent,
                session=self.session,
                tier=report.decision,
                preview=_preview_json(report),
            )
        except Exception as error:
            sys.stderr.write(f"safesh: cannot record an approval request: {error}\n")
            return None
        _notify(report, request)
        return request.id


def _notify(report: Report, request: ApprovalRequest) -> None:
    """Tell the human a request is waiting, if they configured how (never blocking)."""
    command, url = report.setting("notify_command"), report.setting("notify_url")
    if command or url:
        from safesh.store import notify_request

        notify_request(request, command=command, url=url)


def _preview_json(report: Report) -> str | None:
    """The report's preview as the approvals store keeps it."""
    import json

    preview = getattr(report, "preview", None)
    return None if preview is None else json.dumps(preview.to_dict(), sort_keys=True)
