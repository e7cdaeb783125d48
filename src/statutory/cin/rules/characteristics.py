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
    """Every Disability given must be a valid code; and a born child (date of birth present)
    with a referral that went on to further action (ReferralNFA false/0) must have at least
    one Disability (NONE included). The missing case flags the child's characteristics row."""
    disabilities = ctx.table("Disabilities")
    invalid = disabilities.filter(
        pl.col("Disability").is_null() | ~pl.col("Disability").is_in(ctx.codes("Disability"))
    )
    ids = ctx.table("ChildIdentifiers")
    further = ctx.table("CINdetails").filter(is_false("ReferralNFA")).get_column(CHILD)
    with_codes = disabilities.filter(pl.col("Disability").is_not_null()).get_column(CHILD)
    needing = ids.filter(
        pl.col("PersonBirthDate").is_not_null()
        & pl.col(CHILD).is_in(further.drop_nulls().unique().implode())
        & ~pl.col(CHILD).is_in(with_codes.drop_nulls().unique().implode())
    ).get_column(CHILD)
    chars = ctx.table("ChildCharacteristics")
    missing = chars.filter(pl.col(CHILD).is_in(needing.implode()))
    # A child with no characteristics block at all: flag the identifiers row instead.
    no_block = ids.filter(
        pl.col(CHILD).is_in(needing.implode())
        & ~pl.col(CHILD).is_in(chars.get_column(CHILD).drop_nulls().implode())
    )
    return [
        Flag("Disabilities", invalid, ("Disability",)),
        Flag("ChildCharacteristics", missing, ("Disability",)),
        Flag("ChildIdentifiers", no_block, ("PersonBirthDate",)),
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
    """Every disability row of a child who has NONE as well as another code."""
    disabilities = ctx.table("Disabilities")
    code = pl.col("Disability")
    return disabilities.filter(
        (code == "NONE").fill_null(False).any().over(CHILD)
        & (code != "NONE").fill_null(False).any().over(CHILD)
    )


@rule("8794", table="Disabilities", fields=("Disability",))
def repeated_disability(ctx: Context) -> pl.DataFrame:
    """Every row of a code the child has more than once."""
    disabilities = ctx.table("Disabilities")
    return disabilities.filter(
        pl.col("Disability").is_not_null() & (pl.len().over(CHILD, "Disability") > 1)
    )
