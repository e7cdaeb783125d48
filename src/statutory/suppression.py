"""Small-number suppression of tables of counts, as official statistics do it: counts from 1 to 4
hidden (primary, "<5"), and enough others (secondary, "[c]") that no hidden count can be worked
out from the counts and totals shown. Pure logic: no Django, no service."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

THRESHOLD = 5  # counts from 1 to THRESHOLD - 1 are hidden
PRIMARY = "<5"
SECONDARY = "[c]"


@dataclass(frozen=True)
class Cell:
    value: int | None  # None when suppressed
    shown: str
    suppressed: str = ""  # "", "primary" or "secondary"


def suppress(table: Sequence[Sequence[int]], threshold: int = THRESHOLD) -> list[list[Cell]]:
    """Suppress a table of counts whose last column holds the row totals and whose last row the
    column totals (the corner the grand total), as official statistics do:

    - primary: a count from 1 to threshold-1 is shown as "<5";
    - secondary: no hidden count may be worked out from the counts and totals shown, ("[c]").
      Wherever a row or column has exactly one hidden cell, the smallest other non-zero count
      in it is hidden too. That is not enough on its own: hidden cells in two rows and two
      columns can still pin one down through the others (solving the rows and columns together).
      A hidden count can be worked out exactly when, seeing rows and columns as points and
      hidden cells as links between them, its link lies on no closed loop (a "bridge"); so
      while a bridge is left, the smallest count that closes a loop through it is hidden too.
      Zeros are shown, as the DfE shows them.
    """
    rows = [list(map(int, r)) for r in table]
    if not rows:
        return []
    width = len(rows[0])
    if any(len(r) != width for r in rows):
        raise ValueError("every row must have the same number of cells")
    hidden: dict[tuple[int, int], str] = {
        (i, j): "primary" for i, r in enumerate(rows) for j, v in enumerate(r) if 0 < v < threshold
    }
    lines = [[(i, j) for j in range(width)] for i in range(len(rows))] + [
        [(i, j) for i in range(len(rows))] for j in range(width)
    ]

    def cheapest(candidates: list[tuple[int, int]]) -> tuple[int, int] | None:
        open_ = [c for c in candidates if c not in hidden]
        non_zero = [c for c in open_ if rows[c[0]][c[1]] > 0]
        pool = non_zero or open_
        return min(pool, key=lambda c: (rows[c[0]][c[1]], c)) if pool else None

    while True:
        changed = True
        while changed:
            changed = False
            for line in lines:
                if len(line) >= 2 and sum(cell in hidden for cell in line) == 1:
                    pick = cheapest(line)
                    if pick is not None:
                        hidden[pick] = "secondary"
                        changed = True
        # a single row or column is one line: the line rule above is all it needs
        bridge = _bridge(hidden) if len(rows) > 1 and width > 1 else None
        if bridge is None:
            break
        near, far = _sides(hidden, bridge)
        closing = [
            (i, j)
            for i in range(len(rows))
            for j in range(width)
            if (("r", i) in near and ("c", j) in far) or (("r", i) in far and ("c", j) in near)
        ]
        pick = cheapest(closing) or cheapest(lines[bridge[0]])
        if pick is None:
            break  # everything that could be hidden is
        hidden[pick] = "secondary"
    return [
        [
            Cell(None, PRIMARY if hidden[(i, j)] == "primary" else SECONDARY, hidden[(i, j)])
            if (i, j) in hidden
            else Cell(v, f"{v:,}")
            for j, v in enumerate(r)
        ]
        for i, r in enumerate(rows)
    ]


_Node = tuple[str, int]


def _links(hidden: Iterable[tuple[int, int]]) -> dict[_Node, list[tuple[_Node, tuple[int, int]]]]:
    graph: dict[_Node, list[tuple[_Node, tuple[int, int]]]] = {}
    for i, j in hidden:
        graph.setdefault(("r", i), []).append((("c", j), (i, j)))
        graph.setdefault(("c", j), []).append((("r", i), (i, j)))
    return graph


def _bridge(hidden: Iterable[tuple[int, int]]) -> tuple[int, int] | None:
    """A hidden cell whose link between its row and column lies on no loop of hidden cells (so
    the rows and columns shown pin its value down), or None. Tarjan's bridge search."""
    graph = _links(hidden)
    order: dict[_Node, int] = {}
    low: dict[_Node, int] = {}
    for root in sorted(graph):
        if root in order:
            continue
        order[root] = low[root] = len(order)
        stack: list[tuple[_Node, tuple[int, int] | None, int]] = [(root, None, 0)]
        while stack:
            node, via, k = stack.pop()
            if k < len(graph[node]):
                stack.append((node, via, k + 1))
                nxt, cell = graph[node][k]
                if cell == via:
                    continue
                if nxt in order:
                    low[node] = min(low[node], order[nxt])
                else:
                    order[nxt] = low[nxt] = len(order)
                    stack.append((nxt, cell, 0))
            elif stack:
                parent = stack[-1][0]
                low[parent] = min(low[parent], low[node])
                if low[node] > order[parent] and via is not None:
                    return via
    return None


def _sides(
    hidden: Iterable[tuple[int, int]], bridge: tuple[int, int]
) -> tuple[set[_Node], set[_Node]]:
    """The rows and columns joined to the bridge's row, and to its column, without the bridge."""
    graph = _links(c for c in hidden if c != bridge)

    def reach(start: _Node) -> set[_Node]:
        seen, todo = {start}, [start]
        while todo:
            for nxt, _cell in graph.get(todo.pop(), []):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    return reach(("r", bridge[0])), reach(("c", bridge[1]))


def with_totals(counts: Sequence[Sequence[int]]) -> list[list[int]]:
    """Add a total column and a total row to a table of counts."""
    rows = [[*r, sum(r)] for r in counts]
    if rows:
        rows.append([sum(col) for col in zip(*rows, strict=True)])
    return rows
