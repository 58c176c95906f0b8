"""Why a complete schedule cannot exist, in terms an organizer can act on.

`static_blockers` looks at the inputs before any search: a talk whose format no room
hosts, a talk with no possible start (opening hours, breaks, its speakers' availability),
pinned talks that collide, and totals (the minutes that a group of talks needs against
the minutes their rooms offer, a speaker's talks against their available time). When the
solver proves that the talks cannot all be placed, `core_blockers` turns its set of
talks that cannot go together into sentences; `crowded_out` explains talks left over
in "fill as many as possible" mode.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from convention.schedule.conflicts import Kind, hard_conflicts
from convention.schedule.problem import Grid, Problem, Talk, Windows, minutes


class BlockKind(StrEnum):
    NO_ROOM = "no_room"  # no room hosts the talk's format (or holds its audience)
    NO_START = "no_start"  # no start inside the opening hours, between breaks, in availability
    PINNED_CONFLICT = "pinned_conflict"  # two pinned talks collide
    ROOM_MINUTES = "room_minutes"  # talks need more minutes than the rooms they may use offer
    SPEAKER_MINUTES = "speaker_minutes"  # a speaker's talks are longer than their available time
    CANNOT_FIT_TOGETHER = "cannot_fit_together"  # the solver's proof: these talks cannot all be placed
    CROWDED_OUT = "crowded_out"  # fill mode: no free room at any of the talk's possible starts


@dataclass(frozen=True)
class Blocker:
    kind: BlockKind
    message: str
    talk_ids: tuple[int, ...] = ()
    room_ids: tuple[int, ...] = ()
    speaker_id: int | None = None
    demanded: int | None = None  # minutes
    available: int | None = None  # minutes


def _longest(spans) -> int:
    return max((end - start for start, end in spans), default=0)


def _ids(ids: Iterable[int]) -> str:
    return ", ".join(str(i) for i in sorted(ids))


def no_start_reason(talk: Talk, windows: Windows) -> str:
    """Which of opening hours, breaks and availability leaves the talk no start."""
    head = f"talk {talk.id} ({talk.duration} min)"
    if _longest(windows.opening) < talk.duration:
        return f"{head} is longer than any opening period (the longest is {_longest(windows.opening)} min)"
    if _longest(windows.free) < talk.duration:
        return f"{head} does not fit between the breaks (the longest gap is {_longest(windows.free)} min)"
    if not windows.usable:
        return f"{head}: its speakers ({_ids(talk.speaker_ids)}) are never available together during opening hours"
    return (f"{head}: its speakers' availability leaves no window long enough "
            f"(the longest is {_longest(windows.usable)} min)")


def talk_blockers(problem: Problem, grid: Grid, talk: Talk) -> list[Blocker]:
    """Why this one talk can be placed nowhere (empty when it has a room and a start)."""
    if talk.pinned is not None:
        return []
    out = []
    if not problem.rooms_for(talk):
        hosting = [room for room in problem.rooms if room.hosts(talk.format_id)]
        if not hosting:
            message = f"talk {talk.id}: no room hosts its format {talk.format_id}"
        else:
            message = (f"talk {talk.id}: no room that hosts its format holds its audience of {talk.audience} "
                       f"(the largest holds {max(room.capacity for room in hosting)})")
        out.append(Blocker(BlockKind.NO_ROOM, message, (talk.id,)))
    windows = grid.windows(talk)
    if not windows.starts:
        out.append(Blocker(BlockKind.NO_START, no_start_reason(talk, windows), (talk.id,)))
    return out


def static_blockers(problem: Problem, grid: Grid | None = None,
                    talk_ids: Iterable[int] | None = None) -> list[Blocker]:
    """Everything visible before a search that rules out placing all (or the given) talks."""
    grid = grid or Grid(problem)
    talks = problem.talks if talk_ids is None else [problem.talk(i) for i in talk_ids]
    out: list[Blocker] = []
    for talk in talks:
        out += talk_blockers(problem, grid, talk)
    out += pinned_blockers(problem)
    out += room_minute_blockers(problem, grid, talks)
    out += speaker_minute_blockers(problem, grid, talks)
    return out


def pinned_blockers(problem: Problem) -> list[Blocker]:
    """Pinned talks that overlap in a room or share a speaker: no schedule can keep both."""
    pins = {talk.id: talk.pinned for talk in problem.talks if talk.pinned is not None}
    out = []
    for conflict in hard_conflicts(problem, pins):
        if conflict.kind in (Kind.ROOM_OVERLAP, Kind.SPEAKER_DOUBLE_BOOKED):
            out.append(Blocker(BlockKind.PINNED_CONFLICT, f"pinned {conflict.message}", conflict.talk_ids,
                               (conflict.room_id,) if conflict.room_id is not None else (),
                               speaker_id=conflict.speaker_id))
    return out


def room_minute_blockers(problem: Problem, grid: Grid, talks: Iterable[Talk]) -> list[Blocker]:
    """For each set of rooms some talk may use: the talks confined to it must fit its minutes."""
    room_free = minutes(grid.free)
    confined: dict[frozenset[int], list[Talk]] = defaultdict(list)
    groups: set[frozenset[int]] = set()
    for talk in talks:
        rooms = frozenset([talk.pinned.room_id] if talk.pinned else [room.id for room in problem.rooms_for(talk)])
        if rooms:
            groups.add(rooms)
            confined[rooms].append(talk)
    out = []
    for group in sorted(groups, key=lambda g: (len(g), sorted(g))):
        inside = [talk for rooms, members in confined.items() if rooms <= group for talk in members]
        demanded = sum(talk.duration for talk in inside)
        available = room_free * len(group)
        if demanded > available:
            formats = _ids({talk.format_id for talk in inside})
            who = (f"the {len(inside)} talks" if len(group) == len(problem.rooms)
                   else f"the {len(inside)} talks that can only use rooms {_ids(group)} (formats {formats})")
            out.append(Blocker(
                BlockKind.ROOM_MINUTES,
                f"{who} need {demanded} min, {'those' if len(group) < len(problem.rooms) else 'all'} rooms "
                f"offer {available} min outside breaks",
                tuple(sorted(talk.id for talk in inside)), tuple(sorted(group)),
                demanded=demanded, available=available))
    return out


def speaker_minute_blockers(problem: Problem, grid: Grid, talks: Iterable[Talk]) -> list[Blocker]:
    by_speaker: dict[int, list[Talk]] = defaultdict(list)
    for talk in talks:
        for speaker in set(talk.speaker_ids):
            by_speaker[speaker].append(talk)
    out = []
    for speaker, own in sorted(by_speaker.items()):
        demanded = sum(talk.duration for talk in own)
        available = minutes(grid.usable_for([speaker]))
        if demanded > available:
            out.append(Blocker(
                BlockKind.SPEAKER_MINUTES,
                f"speaker {speaker}'s {len(own)} talks need {demanded} min, "
                f"they are available for {available} min of the opening hours outside breaks",
                tuple(sorted(talk.id for talk in own)), speaker_id=speaker,
                demanded=demanded, available=available))
    return out


def core_blockers(problem: Problem, grid: Grid, talk_ids: Iterable[int]) -> list[Blocker]:
    """The solver proved these talks cannot all be placed: say what they share."""
    talk_ids = sorted(set(talk_ids))
    talks = [problem.talk(i) for i in talk_ids]
    specific = (room_minute_blockers(problem, grid, talks) + speaker_minute_blockers(problem, grid, talks))
    speakers = defaultdict(list)
    for talk in talks:
        for speaker in set(talk.speaker_ids):
            speakers[speaker].append(talk.id)
    shared = sorted(s for s, ids in speakers.items() if len(ids) > 1)
    rooms = sorted({room.id for talk in talks for room in problem.rooms_for(talk)})
    reasons = [f"they compete for rooms {_ids(rooms)}"]
    if shared:
        reasons.append(f"speakers {_ids(shared)} give several of them")
    if any(s in grid.availability for talk in talks for s in talk.speaker_ids):
        reasons.append("some of their speakers are available only part of the time")
    if any(talk.pinned for talk in problem.talks):
        reasons.append("pinned talks keep their rooms and times")
    summary = Blocker(
        BlockKind.CANNOT_FIT_TOGETHER,
        f"these {len(talk_ids)} talks cannot all be placed: {'; '.join(reasons)} (talks {_ids(talk_ids)})",
        tuple(talk_ids), tuple(rooms))
    return [summary, *specific]


def crowded_out(problem: Problem, grid: Grid, talk_ids: Iterable[int]) -> list[Blocker]:
    """Fill mode left these talks out: say why for each one."""
    out = []
    for talk_id in sorted(talk_ids):
        talk = problem.talk(talk_id)
        own = talk_blockers(problem, grid, talk)
        if own:
            out += own
            continue
        windows = grid.windows(talk)
        out.append(Blocker(
            BlockKind.CROWDED_OUT,
            f"talk {talk.id} ({talk.duration} min) found no free room at any of its "
            f"{len(windows.starts)} possible starts (rooms {_ids(r.id for r in problem.rooms_for(talk))})",
            (talk.id,), tuple(room.id for room in problem.rooms_for(talk))))
    return out
