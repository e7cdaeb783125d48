"""Small-number suppression, as official statistics publish counts."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from statutory.suppression import PRIMARY, SECONDARY, suppress, with_totals


def hidden(grid):  # type: ignore[no-untyped-def]
    return {(i, j) for i, row in enumerate(grid) for j, c in enumerate(row) if c.suppressed}


def test_counts_under_five_are_shown_as_under_five():
    grid = suppress(with_totals([[3, 10, 20], [12, 15, 30]]))
    assert grid[0][0].shown == PRIMARY
    assert grid[0][0].value is None
    assert grid[1][2].shown == "30"


def test_a_hidden_count_cannot_be_worked_back_from_its_totals():
    grid = suppress(with_totals([[3, 10, 20], [12, 15, 30]]))
    # row 0 and column 0 each need a second hidden cell
    assert sum(1 for c in grid[0] if c.suppressed) >= 2
    assert sum(1 for row in grid if row[0].suppressed) >= 2
    assert any(c.shown == SECONDARY for row in grid for c in row)


def test_zeros_are_shown_and_nothing_else_hidden_without_cause():
    grid = suppress(with_totals([[0, 10], [6, 7]]))
    assert not hidden(grid)
    assert grid[0][0].shown == "0"


def test_secondary_picks_the_smallest_other_count():
    grid = suppress([[2, 50, 6, 58]])  # one row with its total
    assert grid[0][2].shown == SECONDARY
    assert grid[0][1].shown == "50"


@given(
    st.lists(st.lists(st.integers(0, 40), min_size=2, max_size=5), min_size=2, max_size=5).filter(
        lambda rows: len({len(r) for r in rows}) == 1
    )
)
def test_no_row_or_column_has_exactly_one_hidden_cell(counts):
    grid = suppress(with_totals(counts))
    full = with_totals(counts)
    for i, row in enumerate(grid):
        for j, cell in enumerate(row):
            if 0 < full[i][j] < 5:
                assert cell.shown == PRIMARY
    lines = [list(row) for row in grid] + [list(col) for col in zip(*grid, strict=True)]
    for line in lines:
        count = sum(1 for c in line if c.suppressed)
        values = [c for c in line if not c.suppressed]
        # a line with one hidden cell is allowed only when nothing else could be hidden
        assert count != 1 or not values


def recoverable(grid, full):  # type: ignore[no-untyped-def]
    """The hidden cells an attacker can work out exactly from what is shown: every row's cells
    add up to its total (the last column) and every column's to the total row (the last row).
    Unknowns are the hidden cells; a cell is pinned down when the equations determine it, i.e.
    when adding "this cell = ?" as an equation does not raise the rank of the system."""
    cells = sorted(hidden(grid))
    if not cells:
        return set()
    index = {c: k for k, c in enumerate(cells)}
    height, width = len(full), len(full[0])
    equations = []
    for i in range(height):  # cells of a row minus its total
        equations.append({(i, j): 1 for j in range(width - 1)} | {(i, width - 1): -1})
    for j in range(width):  # cells of a column minus its total
        equations.append({(i, j): 1 for i in range(height - 1)} | {(height - 1, j): -1})
    matrix = np.zeros((len(equations), len(cells)))
    for e, equation in enumerate(equations):
        for cell, sign in equation.items():
            if cell in index:
                matrix[e, index[cell]] = sign
    rank = np.linalg.matrix_rank(matrix)
    found = set()
    for cell, k in index.items():
        probe = np.zeros((1, len(cells)))
        probe[0, k] = 1
        if np.linalg.matrix_rank(np.vstack([matrix, probe])) == rank:
            found.add(cell)
    return found


def test_a_hidden_count_linked_through_other_rows_is_still_protected():
    """Found by the property below against the line-by-line rule alone: every row and column
    had two hidden cells or none, yet solving the rows and columns together gave some back."""
    counts = [[0, 0, 0, 0, 1], [0, 0, 0, 1, 1], [0, 0, 1, 1, 5]]
    full = with_totals(counts)
    grid = suppress(full)
    assert grid[0][4].shown == PRIMARY
    assert recoverable(grid, full) == set()


@given(
    st.integers(2, 6).flatmap(
        lambda width: st.lists(
            st.lists(
                st.one_of(st.integers(0, 6), st.integers(5, 200)), min_size=width, max_size=width
            ),
            min_size=1,
            max_size=7,
        )
    )
)
def test_no_suppressed_count_can_be_recovered_from_row_and_column_totals(counts):
    full = with_totals(counts)
    grid = suppress(full)
    assert recoverable(grid, full) == set()
    # and what is shown is the truth
    for row, cells in zip(full, grid, strict=True):
        for value, cell in zip(row, cells, strict=True):
            assert cell.suppressed or cell.value == value
