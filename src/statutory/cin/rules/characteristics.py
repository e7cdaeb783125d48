"""ChildCharacteristics and Disabilities rules."""

from __future__ import annotations

import polars as pl

from statutory.cin.rules._common import CHILD, is_false, la_level, no_rows
from statutory.engine import Context, Flag, rule


@rule("4220", table="ChildCharacteristics", fields=("Ethnicity",))
def ethnicity_valid(ctx: Context) -> pl.DataFrame:
    chars = ctx.table("ChildCharacteristics")
    return chars.filter(
        pl.col("Ethnicity").is_null() | ~pl.col("Ethnicity").is_in(ctx.codes("Ethnicity"))
    )


@rule("8540", table="ChildCharacteristics", fields=("Disability", "PersonBirthDate", "ReferralNFA"))
def disability_valid(ctx: Context) -> list[Flag]:
    """DfE: if PersonBirthDate is present and at least one ReferralNFA is false or 0, one or more
    Disability must be present and all must be valid codes. For such a child, each invalid
    Disabilities row is flagged, and the child's record and its further-action episodes are
    flagged when any code is missing or invalid (the tables the open-source validator names)."""
    ids = ctx.table("ChildIdentifiers")
    further = ctx.table("CINdetails").filter(is_false("ReferralNFA"))
    children = ids.filter(
        pl.col("PersonBirthDate").is_not_null()
        & pl.col(CHILD).is_in(further.get_column(CHILD).drop_nulls().unique().implode())
    ).get_column(CHILD)
    disabilities = ctx.table("Disabilities").filter(pl.col(CHILD).is_in(children.implode()))
    invalid = disabilities.filter(
        pl.col("Disability").is_null() | ~pl.col("Disability").is_in(ctx.codes("Disability"))
    )
    with_codes = disabilities.filter(pl.col("Disability").is_not_null()).get_column(CHILD)
    failing = pl.concat(
        [invalid.get_column(CHILD), children.filter(~children.is_in(with_codes.implode()))]
    ).unique()
    return [
        Flag("Disabilities", invalid, ("Disability",)),
        Flag(
            "ChildIdentifiers",
            ids.filter(pl.col(CHILD).is_in(failing.implode())),
            ("PersonBirthDate",),
        ),
        Flag(
            "CINdetails", further.filter(pl.col(CHILD).is_in(failing.implode())), ("ReferralNFA",)
        ),
    ]


@rule("2887Q", table="Disabilities", fields=("Disability",))
def few_disability_codes(ctx: Context) -> pl.DataFrame:
    """LA level: 7 or fewer different disability codes used, NONE excluded (the DfE text;
    the open-source validator counts rows equal to NONE instead, which looks like a slip)."""
    codes = (
        ctx.table("Disabilities")
        .filter(pl.col("Disability").is_not_null() & (pl.col("Disability") != "NONE"))
        .get_column("Disability")
        .n_unique()
    )
    if ctx.table("ChildIdentifiers").height == 0:
        return no_rows()
    return la_level(ctx, "Disabilities") if codes <= 7 else no_rows()


@rule("2888Q", table="Disabilities", fields=("Disability",))
def one_disability_each(ctx: Context) -> pl.DataFrame:
    """LA level: among children with a disability other than NONE, none has more than one."""
    disabled = ctx.table("Disabilities").filter(
        pl.col("Disability").is_not_null() & (pl.col("Disability") != "NONE")
    )
    if disabled.height == 0:
        return no_rows()
    most = disabled.group_by(CHILD).agg(pl.col("Disability").n_unique().alias("n"))["n"].max()
    return la_level(ctx, "Disabilities") if most == 1 else no_rows()


@rule("8790", table="Disabilities", fields=("Disability",))
def none_and_other(ctx: Context) -> pl.DataFrame:
    """DfE: if NONE is present, no other Disability value may be present for the child: the
    other values of a child with NONE are flagged."""
    disabilities = ctx.table("Disabilities")
    code = pl.col("Disability")
    return disabilities.filter(
        (code == "NONE").fill_null(False).any().over(CHILD) & (code != "NONE").fill_null(False)
    )


@rule("8794", table="Disabilities", fields=("Disability",))
def repeated_disability(ctx: Context) -> pl.DataFrame:
    """Every row of a code the child has more than once."""
    disabilities = ctx.table("Disabilities")
    return disabilities.filter(
        pl.col("Disability").is_not_null() & (pl.len().over(CHILD, "Disability") > 1)
    )
