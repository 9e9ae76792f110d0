"""The record stage for front ends: turn a Report and what was done with it into the audit
log and the approval store. Every call here is failure-tolerant: a store that cannot be
written is reported on stderr, never turned into a reason to run or to fail an allowed
command. Where the store decides whether something may run (a grant), failure means no.

Waits are short and bounded: the store is opened with `FRONT_END_WAIT_S`, and after one
failure (a lock held past the wait, an unreachable server) this Recorder does not try again
for the rest of its decision: no grant, no request, and the record goes to the spool. An ask
path therefore answers within about a second, never stalls past an agent's hook time-out.

A grant is bound to the effective command: the shell's own arguments (`argv`: $0, the
positional parameters, the options), the production variables of the environment the rules
read, and the decisive rules (`Binding`).

May import: `safesh.store` and, for types, `safesh.api`."""

from __future__ import annotations

import sys

from safesh.record import field, mutable

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up

if TYPE_CHECKING:
    from safesh.api import Report
    from safesh.store import ApprovalRequest, Binding, Store, StoreSettings

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


@mutable
class Recorder:
    """One store connection for one decision, opened on first use."""

    agent: str | None = None
    session: str | None = None
    # The shell's own arguments besides the command text ($0, positional parameters, options):
    # part of what a grant is bound to.
    argv: tuple[str, ...] = ()
    # The user's settings (`Report.settings`): which store, approval ttl, approvers, retention.
    settings: tuple[tuple[str, str], ...] | None = None
    _store: Store | None = field(default=None, init=False)
    _failed: bool = field(default=False, init=False)

    def store(self, report: Report | None = None) -> Store | None:
        if self._store is None and not self._failed:
            from safesh.store import open_store

            try:
                self._store = open_store(self._settings(report))
            except Exception as error:
                self._failed = True
                sys.stderr.write(f"safesh: {error}\n")
        return self._store

    @property
    def unavailable(self) -> bool:
        """The store failed once in this decision (and is not tried again)."""
        return self._failed

    def _settings(self, report: Report | None) -> StoreSettings:
        from safesh.store import StoreSettings, store_settings

        pairs = self.settings if self.settings is not None else None
        if pairs is None and report is not None:
            pairs = report.settings
        try:
            return store_settings(pairs or ())
        except Exception as error:  # a bad value was reported when the rules loaded
            sys.stderr.write(f"safesh: {error}\n")
            return StoreSettings()

    def _give_up(self, error: Exception, what: str) -> None:
        """After one failure, no more waiting on the store in this decision."""
        sys.stderr.write(f"safesh: {what}: {error}\n")
        self._failed = True
        self.close()

    def binding(self, report: Report) -> Binding:
        from safesh.rules.production import bound_environment
        from safesh.store import Binding

        return Binding(
            argv=self.argv,
            env=bound_environment(report.analysis.context),
            findings=tuple(sorted({f.rule_id for f in report.decisive_findings()})),
        )

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    def leave(self) -> None:
        """`close()` in a process that ends right after this decision (it execs the command
        or exits): see `Store.leave`."""
        if self._store is not None:
            self._store.leave()
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
        from safesh.store import AuditEvent, record_or_spool, spool_event

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
        store = self.store(report)
        try:
            if store is None:
                raise RuntimeError("the store could not be opened")
            return record_or_spool(store, event, self._settings(report))
        except Exception as error:
            spooled = spool_event(store.file if store is not None else None, event, error)
            tail = "the record waits in the spool" if spooled else "the record is LOST"
            if store is not None:
                self._give_up(error, f"could not write the audit log ({tail})")
            else:
                sys.stderr.write(f"safesh: could not write the audit log ({tail})\n")
            return None

    def finish(self, record_id: int | None, exit_status: int, duration_s: float) -> None:
        from safesh.store import finish_quietly

        store = self.store()
        if store is not None and record_id is not None:
            finish_quietly(record_id, exit_status, duration_s, store=store)

    def consume_grant(self, report: Report) -> bool:
        """Whether a human approved exactly this command, here, under these rules."""
        store = self.store(report)
        if store is None or report.rules_fingerprint is None:
            return False
        try:
            grant = store.consume_grant(
                report.command,
                report.analysis.context.cwd,
                report.rules_fingerprint,
                self.binding(report),
            )
        except Exception as error:
            self._give_up(error, "cannot read approvals (no grant)")
            return False
        return grant is not None

    def request_approval(self, report: Report) -> str | None:
        """Leave a request a human can approve; its id, or None if the store is unusable."""
        store = self.store(report)
        if store is None or report.rules_fingerprint is None:
            return None
        decisive = report.decisive_findings()
        reason = "; ".join(dict.fromkeys(f.reason for f in decisive)) or report.decision
        settings = self._settings(report)
        production = any(f.production for f in decisive)
        try:
            request = store.request_approval(
                report.command,
                report.analysis.context.cwd,
                report.rules_fingerprint,
                [f.rule_id for f in decisive],
                reason,
                agent=self.agent,
                session=self.session,
                ttl_s=settings.approval_ttl_s,
                tier=report.decision,
                preview=_preview_json(report),
                binding=self.binding(report),
                required_approvers=settings.production_approvers if production else 1,
            )
        except Exception as error:
            self._give_up(error, "cannot record an approval request")
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
