"""What a run of the real bot against the capped fake measured: pace, 429s, duplicates,
losses, and what each kill left behind (tests/bench/outbox_kill.py runs it)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from tests.bench.outbox_data import ident
from tests.bench.outbox_fake import Accepted
from tests.bench.outbox_window import Duplicate, Kill, MarkDelays, duplicates_of


@dataclass
class LimitedResult:
    """What the capped run measured; rates are over the active sending time."""

    messages: int
    rate_limit: float
    accepted: list[Accepted]
    too_many: int
    too_many_overall: int
    too_many_chat: int
    too_many_untagged: int  # of the 429s, those refusing replies to members who wrote
    statuses: dict[str, int]
    elapsed: float
    kills: list[Kill] = field(default_factory=list)
    delays: MarkDelays = field(default_factory=lambda: MarkDelays([], []))
    recovered: int = 0  # rows the restarted senders put back in the queue (their logs)
    unknown_calls: dict[str, int] = field(default_factory=dict)
    cut_off: int = 0  # requests a kill interrupted before the fake had read them
    stalled: bool = False

    @property
    def keys(self) -> Counter[str]:
        """Accepted deliveries per benchmark tag (the sender's progress messages have none)."""
        return Counter(key for a in self.accepted if (key := ident(a.text, a.chat_id)))

    @property
    def duplicated(self) -> int:
        """Deliveries (tag and chat) accepted more than once."""
        return sum(1 for n in self.keys.values() if n > 1)

    @property
    def extra(self) -> int:
        """Acceptances beyond the first of each delivery."""
        return sum(n - 1 for n in self.keys.values() if n > 1)

    @property
    def unfinished(self) -> int:
        """Outbox rows neither sent nor given up when the run ended."""
        return self.statuses.get("pending", 0) + self.statuses.get("sending", 0)

    @property
    def lost(self) -> int:
        """Deliveries never accepted."""
        return self.messages - len(self.keys)

    def gaps(self) -> list[tuple[float, float]]:
        """Each kill to the restarted process's first accepted message, as (start, end)."""
        found = []
        for kill in self.kills:
            after = next((a.at for a in self.accepted if a.at > kill.restarted), None)
            if after is not None:
                found.append((kill.at, after))
        return found

    def duplicates(self) -> list[list[Duplicate]]:
        """Per kill, the rows it left delivered but unmarked (sent again after the restart)."""
        return [duplicates_of(kill, self.accepted) for kill in self.kills]

    def spans(self) -> list[tuple[float, float]]:
        """The stretches of active sending: first to last acceptance, minus the kill gaps."""
        if not self.accepted:
            return []
        start, spans = self.accepted[0].at, []
        for gap_start, gap_end in self.gaps():
            spans.append((start, gap_start))
            start = gap_end
        return [*spans, (start, self.accepted[-1].at)]

    @property
    def active(self) -> float:
        """Sending time: first to last acceptance, without the kill-to-first-acceptance gaps."""
        return sum(end - start for start, end in self.spans())

    @property
    def rate(self) -> float:
        """Accepted messages per active second."""
        return len(self.accepted) / self.active if self.active else 0.0

    def steady_rate(self) -> float:
        """The rate between the 10th and the 90th percentile acceptance (kill gaps left out):
        the pace itself, without the start and the per-chat-limited end of the queue."""
        n = len(self.accepted)
        first, last = self.accepted[n // 10].at, self.accepted[n * 9 // 10].at
        paused = sum(b - a for a, b in self.gaps() if first <= a and b <= last)
        seconds = last - first - paused
        return (n * 9 // 10 - n // 10) / seconds if seconds > 0 else 0.0

    def per_second(self) -> list[int]:
        """Acceptances in each whole second of active sending (the kill gaps left out)."""
        counts: list[int] = []
        for start, end in self.spans():
            bins = [0] * (int(end - start) + 1)
            for a in self.accepted:
                if start <= a.at <= end:
                    bins[int(a.at - start)] += 1
            counts += bins[:-1]  # the last, partial second would look slow
        return counts

    def busiest_window(self) -> int:
        """Most acceptances in any sliding window of one second."""
        times = [a.at for a in self.accepted]
        best, first = 0, 0
        for last, at in enumerate(times):
            while times[first] <= at - 1.0:
                first += 1
            best = max(best, last - first + 1)
        return best

    def closest_in_chat(self) -> float | None:
        """The shortest time between two acceptances in one chat."""
        last: dict[int, float] = {}
        best: float | None = None
        for a in self.accepted:
            if a.chat_id in last:
                gap = a.at - last[a.chat_id]
                best = gap if best is None else min(best, gap)
            last[a.chat_id] = a.at
        return best
