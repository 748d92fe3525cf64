"""Progress bars for the long recovery commands (outbox replay, analytics rebuild, `jisr up`'s
own replay): counts, rate and time left, drawn by rich on a terminal and as plain lines when
the output is a file or a pipe."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    Task,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

# update(done, total)
Update = Callable[[int, int], None]


class _Rate(TextColumn):
    def __init__(self) -> None:
        super().__init__("")

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        self.text_format = f"{speed:,.0f}/s" if speed else "-/s"
        return super().render(task)


@contextlib.contextmanager
def bars(stderr: bool = False) -> Iterator[Callable[[str], Update]]:
    """`with bars() as bar: update = bar("replaying incidents"); update(10, 100)`."""
    console = Console(stderr=stderr)
    if not console.is_terminal:
        yield lambda label: _plain(console, label)
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        _Rate(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
    ) as progress:

        def bar(label: str) -> Update:
            task = progress.add_task(label, total=None)

            def update(done: int, total: int) -> None:
                progress.update(task, completed=done, total=max(total, done))

            return update

        yield bar


def _plain(console: Console, label: str) -> Update:
    """Not a terminal: a line at the start, about every tenth and at the end, with the rate."""
    started = time.monotonic()
    state = {"next": 0}

    def update(done: int, total: int) -> None:
        if done < state["next"] and done < total:
            return
        seconds = time.monotonic() - started
        rate = f"{done / seconds:,.0f}/s" if seconds > 0 and done else "-/s"
        line = f"{label}: {done:,}/{total:,} ({rate}, {seconds:.1f} s)"
        console.print(line, highlight=False, soft_wrap=True)
        state["next"] = done + max(1, total // 10)
        if done >= total:
            state["next"] = total + 1  # the end is printed once

    return update
