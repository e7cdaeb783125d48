"""Small-number suppression, as official statistics publish counts."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from alliance.returns.services import PRIMARY, SECONDARY, suppress, with_totals


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
