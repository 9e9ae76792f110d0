"""The judge's time and size budget: every answer comes before the agent gives up waiting.

Agents run a command unjudged when their hook times out, so a line that is too large to judge,
or that the judge has not finished with by the deadline, gets the fail-closed answer (`ask`)
instead: `bounded_check` judges in a worker thread and stops waiting at the deadline. The
abandoned worker is a daemon thread; the front ends exit (or exec) right after answering, which
ends it. A process that owns its signals and ends after a late line (a child of the resident
judge: `judge_on_main_thread`) judges on its own thread instead, interrupted at the deadline by
an interval timer: no hand-over to another thread, which on a busy machine waits its turn to
be scheduled.

DEADLINE_SECONDS sits well under the hook timeout `install-hook` writes
(safesh.agents.settings.HOOK_TIMEOUT_SECONDS),
leaving room for interpreter start-up, the audit record and the reply on a loaded machine.
SAFESH_JUDGE_DEADLINE (seconds) may only shorten the deadline: a longer one would let the
agent's own timeout run the command unjudged.

May import: safesh.api, safesh.analyze, safesh.model, safesh.judge.protocol and the standard
library.
"""

from __future__ import annotations

import _thread
import os
import time

# The deadline itself lives with the wire (the thin client needs it, not the rest of this).
from safesh.judge.protocol import DEADLINE_ENV as DEADLINE_ENV
from safesh.judge.protocol import DEADLINE_SECONDS as DEADLINE_SECONDS
from safesh.judge.protocol import Deadline as Deadline
from safesh.judge.protocol import deadline_seconds as deadline_seconds

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up

if TYPE_CHECKING:
    from _thread import LockType
    from collections.abc import Callable, Mapping
    from typing import TypeVar

    from safesh.api import Report
    from safesh.rules import RuleSet

    T = TypeVar("T")

MAX_INPUT_CHARS = 256 * 1024
WORKER_STACK_BYTES = 256 * 1024 * 1024  # reserved, not committed: pages are used on demand

TOO_LARGE = "core.too-large"
TOO_SLOW = "core.deadline"
TOO_LARGE_REASON = "The line is too large for safesh to judge in time, so nobody has vetted it."
TOO_SLOW_REASON = "safesh could not finish judging this line in time, so it cannot vouch for it."


def bounded_check(
    command: str,
    cwd: str | None = None,
    env: Mapping[str, str] | None = None,
    deadline: Deadline | None = None,
    *,
    live_input: bool = False,
) -> Report:
    """`safesh.check`, but a line over MAX_INPUT_CHARS, or one still being judged at the
    deadline, comes back as `ask` (core.too-large / core.deadline) instead of waiting."""
    from safesh.api import check

    return bounded(
        command,
        lambda ruleset: check(command, cwd=cwd, env=env, ruleset=ruleset, live_input=live_input),
        lambda report: report,
        cwd,
        env,
        deadline,
    )


def bounded(
    command: str,
    work: Callable[[RuleSet | None], T],
    unjudged: Callable[[Report], T],
    cwd: str | None = None,
    env: Mapping[str, str] | None = None,
    deadline: Deadline | None = None,
) -> T:
    """`work(ruleset)` judging `command`, or `unjudged(fail-closed report)` when the line is
    over MAX_INPUT_CHARS or `work` has not finished by the deadline.

    The rules are loaded first (their cost does not grow with the line), so even an answer
    that was not judged carries the rules' fingerprint and settings: a human can approve it,
    and the approval holds for exactly these rules. Rules that do not load are `work`'s to
    report (it gets None)."""
    from safesh.rules import RulesError
    from safesh.rules.memo import load_ruleset_memoised

    due = deadline if deadline is not None else Deadline.from_env(env)
    ruleset: RuleSet | None
    try:
        # The directory `make_context(cwd, env)` judges in, without building the rest of a
        # context (the environment sorted, the repository looked for) only to drop it.
        ruleset = load_ruleset_memoised(os.path.abspath(cwd if cwd is not None else os.getcwd()))
    except RulesError:
        ruleset = None
    if len(command) > MAX_INPUT_CHARS:
        detail = f"{len(command)} characters; safesh judges at most {MAX_INPUT_CHARS}"
        return unjudged(
            fail_closed_report(command, cwd, env, ruleset, TOO_LARGE, TOO_LARGE_REASON, detail)
        )
    limit = f"not judged within {deadline_seconds(env):g} s"
    late = fail_closed_report  # named for the two calls below
    if due.passed():
        return unjudged(late(command, cwd, env, ruleset, TOO_SLOW, TOO_SLOW_REASON, limit))
    if _ALARM.usable():
        try:
            return _ALARM.run(lambda: work(ruleset), due.remaining())
        except _Late:
            return unjudged(late(command, cwd, env, ruleset, TOO_SLOW, TOO_SLOW_REASON, limit))
    outcome: list[T] = []
    failure: list[BaseException] = []
    done = _thread.allocate_lock()
    done.acquire()

    def judge() -> None:
        try:
            outcome.append(work(ruleset))
        except BaseException as error:  # handed to the caller, which fails closed on it
            failure.append(error)

    _JUDGES.run(judge, done)
    remaining = due.remaining()
    if remaining > 0:
        done.acquire(timeout=remaining)
    if outcome:
        return outcome[0]
    if failure:
        raise failure[0]
    return unjudged(late(command, cwd, env, ruleset, TOO_SLOW, TOO_SLOW_REASON, limit))


class _Judge:
    """A daemon thread that runs the jobs it is given, one at a time, and between them waits
    in its pool. The parsers recurse in C (tree-sitter) and Python: it gets a stack as deep as
    the main thread's could grow, so judging there never overflows where it would not before."""

    def __init__(self, pool: _Judges) -> None:
        self._pool = pool
        self._job: tuple[Callable[[], None], LockType] | None = None
        self._go = _thread.allocate_lock()
        self._go.acquire()
        previous = _thread.stack_size(WORKER_STACK_BYTES)
        try:
            _thread.start_new_thread(self._serve, ())
        finally:
            _thread.stack_size(previous)

    def give(self, job: Callable[[], None], done: LockType) -> None:
        self._job = (job, done)
        self._go.release()

    def _serve(self) -> None:
        while True:
            self._go.acquire()
            task, self._job = self._job, None
            if task is None:
                self._pool.park(self)
                continue
            job, done = task
            try:
                job()  # never raises: `bounded`'s jobs keep their own failures
            finally:
                # Parked before the caller hears the answer, so the caller's next line finds
                # this thread idle instead of starting another one.
                self._pool.park(self)
                done.release()


class _Judges:
    """This process's judging threads that are done with their line, kept for the next one.

    A new thread is a new task for the scheduler, which on a busy machine waits behind
    everything runnable (milliseconds, several times the judgement of a short line); a parked
    thread wakes at once. A thread still judging a line abandoned at its deadline is not
    parked until it is done. Process-local by design, like the rules memo: a forked child
    starts with none (threads do not survive a fork)."""

    def __init__(self) -> None:
        self._lock = _thread.allocate_lock()
        self._idle: list[_Judge] = []
        self._started = 0

    def run(self, job: Callable[[], None], done: LockType) -> None:
        """Run `job` on a parked thread (or a new one); `done` is released once it has run."""
        with self._lock:
            judge = self._idle.pop() if self._idle else None
            if judge is None:
                self._started += 1
        (judge or _Judge(self)).give(job, done)

    def all_parked(self) -> bool:
        """No thread of this process is still judging (a line abandoned at its deadline, or
        one whose thread has not yet parked after handing its answer over)."""
        with self._lock:
            return len(self._idle) == self._started

    def park(self, judge: _Judge) -> None:
        with self._lock:
            self._idle.append(judge)

    def forget(self) -> None:
        """In a forked child: the parked threads are not there (and the lock may have been
        held by one of them at the fork)."""
        self._lock = _thread.allocate_lock()
        self._idle = []
        self._started = 0


_JUDGES = _Judges()
os.register_at_fork(after_in_child=_JUDGES.forget)


class _Late(BaseException):
    """Raised into the judgement by the interval timer at the deadline. A BaseException, so
    that no `except Exception` in the judgement takes it for an ordinary fault."""


class _Alarm:
    """Judging on the calling (main) thread, interrupted at the deadline by ITIMER_REAL and
    SIGALRM: only in a process that owns its signals and does not go on after a line was cut
    short (a child of the resident judge, which ends then: `settled` says no). A judgement cut
    short may leave any state half-done, which is why."""

    def __init__(self) -> None:
        self.thread: int | None = None  # the thread that judges so (the main thread)
        self.armed = False
        self.fired = False

    def enable(self) -> None:
        import signal

        signal.signal(signal.SIGALRM, self._ring)  # raises unless on the main thread
        self.thread = _thread.get_ident()

    def usable(self) -> bool:
        return self.thread == _thread.get_ident()

    def _ring(self, _signum: int, _frame: object) -> None:
        if self.armed:  # not once the work is done: the timer may ring just after it
            self.armed = False
            self.fired = True
            raise _Late

    def run(self, work: Callable[[], T], seconds: float) -> T:
        import signal

        if self.armed:
            return work()  # within a bounded judgement already: its timer stands
        self.armed = True
        try:
            # setitimer(…, 0) would disarm it: a deadline this close is as good as passed.
            signal.setitimer(signal.ITIMER_REAL, max(seconds, 1e-6))
            result = work()
            self.armed = False
            if self.fired:
                raise _Late  # rang where its exception was swallowed (a __del__): still late
        finally:
            self.armed = False
            signal.setitimer(signal.ITIMER_REAL, 0)
        return result


_ALARM = _Alarm()


def judge_on_main_thread() -> None:
    """From now on this process judges on its main thread, cut short at the deadline by an
    interval timer (see `_Alarm`). For a child of the resident judge only."""
    _ALARM.enable()


def settled(wait_seconds: float = 0.05) -> bool:
    """Whether no judging thread of this process is running, waiting up to `wait_seconds`
    for the last one to park, and no judgement was cut short on the main thread (the resident
    judge's children serve another request only then: a line still being judged past its
    deadline would slow the next one down, and one cut short may have left anything
    half-done)."""
    if _ALARM.fired:
        return False
    end = time.monotonic() + wait_seconds
    while not _JUDGES.all_parked():
        if time.monotonic() >= end:
            return False
        time.sleep(0.001)
    return True


def fail_closed_report(
    command: str,
    cwd: str | None,
    env: Mapping[str, str] | None,
    ruleset: RuleSet | None,
    rule_id: str,
    reason: str,
    evidence: str,
) -> Report:
    """A Report that asks a human, for a line that was not judged."""
    from safesh.analyze import make_context
    from safesh.api import Report
    from safesh.model import Analysis, Finding, Tier

    finding = Finding(
        rule_id=rule_id, tier=Tier.ASK, reason=reason, command=None, evidence=evidence, pack="core"
    )
    analysis = Analysis(
        source=command,
        context=make_context(cwd, env),
        commands=(),
        findings=(finding,),
        decision=Tier.ASK,
        frontend=None,
        profile=ruleset.profile if ruleset is not None else "default",
        notes=(*(ruleset.warnings if ruleset is not None else ()), f"{rule_id}: {evidence}"),
    )
    if ruleset is None:
        return Report(analysis)
    return Report(analysis, rules_fingerprint=ruleset.fingerprint, settings=ruleset.settings)
