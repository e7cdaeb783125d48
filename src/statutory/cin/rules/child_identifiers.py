"""ChildIdentifiers rules: UPNs, ids, dates of birth and death, sex."""

from __future__ import annotations

import calendar
import datetime as dt

import polars as pl

from statutory.cin.rules._common import (
    CHILD,
    in_year,
    is_false,
    is_true,
    la_level,
    no_rows,
    rows_of,
    sex_column,
    with_child,
)
from statutory.engine import Context, Flag, rule

# UPN check letters: the remainder mod 23 indexes this alphabet (no I, O, S).
CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
UPN_PATTERN = r"^[A-Z]\d{11}[0-9A-Z]$"


def _ids(ctx: Context) -> pl.DataFrame:
    return ctx.table("ChildIdentifiers")


def _check_letter(upn: pl.Expr) -> pl.Expr:
    """The check letter of a 13-character UPN: characters 2-13 weighted 2..13, sum mod 23.

    A letter in position 13 (temporary UPNs) counts as its position in CHECK_LETTERS."""
    total = pl.lit(0, dtype=pl.Int64)
    for position in range(2, 14):
        char = upn.str.slice(position - 1, 1)
        if position < 13:
            value = char.cast(pl.Int64, strict=False)
        else:
            digit = char.cast(pl.Int64, strict=False)
            letter = char.replace_strict(
                list(CHECK_LETTERS), list(range(23)), default=None, return_dtype=pl.Int64
            )
            value = pl.coalesce(digit, letter)
        total = total + value * position
    remainder = total % 23
    return remainder.replace_strict(
        list(range(23)), list(CHECK_LETTERS), default=None, return_dtype=pl.String
    )


@rule("1510", table="ChildIdentifiers", fields=("UPN",))
def upn_check_letter(ctx: Context) -> pl.DataFrame:
    """A 13-character UPN whose first character is not the check letter its other characters
    give. UPNs that cannot be computed (wrong length or characters) are left to 1540/1550."""
    ids = _ids(ctx)
    upn = pl.col("UPN")
    expected = _check_letter(upn)
    return ids.filter(
        upn.is_not_null()
        & (upn.str.len_chars() == 13)
        & expected.is_not_null()
        & (upn.str.slice(0, 1) != expected)
    )


@rule("1520", table="ChildIdentifiers", fields=("UPN",))
def upn_unique(ctx: Context) -> pl.DataFrame:
    """Every record carrying a UPN that another record carries too."""
    ids = _ids(ctx)
    return ids.filter(pl.col("UPN").is_not_null() & pl.col("UPN").is_duplicated())


@rule("1530", table="ChildIdentifiers", fields=("UPN",))
def upn_la_code(ctx: Context) -> pl.DataFrame:
    """Characters 2-4 of a 13-character UPN must be a post-April-1998 LA code or a DfE pseudo
    LA code (the year's `UPN_LA` list; 942/943 added from 2023/24). Shorter or longer UPNs are
    not checked here, as the open-source validator does."""
    ids = _ids(ctx)
    upn = pl.col("UPN")
    return ids.filter(
        upn.is_not_null()
        & (upn.str.len_chars() == 13)
        & ~upn.str.slice(1, 3).is_in(ctx.codes("UPN_LA"))
    )


@rule("1540", table="ChildIdentifiers", fields=("UPN",))
def upn_numeric(ctx: Context) -> pl.DataFrame:
    """Characters 5-12 of a present UPN must be digits (those it has: a UPN too short to have
    them is not flagged here, as the open-source validator reads it)."""
    ids = _ids(ctx)
    upn = pl.col("UPN")
    return ids.filter(upn.is_not_null() & upn.str.slice(4, 8).str.contains(r"[^0-9]"))


@rule("1550", table="ChildIdentifiers", fields=("UPN",))
def upn_last_character(ctx: Context) -> pl.DataFrame:
    """Character 13 of a 13-character UPN must be a digit or one of A-Z without I, O, S."""
    ids = _ids(ctx)
    upn = pl.col("UPN")
    return ids.filter(
        upn.is_not_null()
        & (upn.str.len_chars() == 13)
        & ~upn.str.slice(12, 1).str.contains(rf"^[0-9{CHECK_LETTERS}]$")
    )


@rule("1560Q", table="ChildIdentifiers", fields=("FormerUPN",))
def former_upn_format(ctx: Context) -> pl.DataFrame:
    """A present FormerUPN must be 13 characters: a letter, 11 digits, a digit or letter."""
    ids = _ids(ctx)
    former = pl.col("FormerUPN")
    return ids.filter(former.is_not_null() & ~former.str.contains(UPN_PATTERN))


@rule("1570", table="ChildIdentifiers", fields=("LAchildID",))
def child_id_length(ctx: Context) -> pl.DataFrame:
    ids = _ids(ctx)
    return ids.filter(pl.col(CHILD).str.len_chars() > 20)


@rule("1580", table="ChildIdentifiers", fields=("LAchildID",))
def child_id_alphanumeric(ctx: Context) -> pl.DataFrame:
    """Letters and digits only (ASCII); spaces, hyphens and the like fail."""
    ids = _ids(ctx)
    return ids.filter(pl.col(CHILD).str.contains(r"[^A-Za-z0-9]"))


@rule("2886Q", table="ChildIdentifiers", fields=("ExpectedPersonBirthDate", "ChildIdentifiers"))
def sex_recorded(ctx: Context) -> pl.DataFrame:
    """LA level: children with no sex recorded (missing, or `U` from 2024/25, `0` before),
    excluding unborn children (an expected date of birth), are more than 2% of all records."""
    ids = _ids(ctx)
    if ids.height == 0:
        return no_rows()
    column = sex_column(ctx)
    unknown = "U" if column == "Sex" else "0"
    missing = ids.filter(
        (pl.col(column).is_null() | (pl.col(column) == unknown))
        & pl.col("ExpectedPersonBirthDate").is_null()
        & pl.col("ExpectedPersonBirthDate__raw").is_null()
    ).height
    return la_level(ctx, "ChildIdentifiers") if missing / ids.height > 0.02 else no_rows()


@rule("4180", table="ChildIdentifiers", fields=("Sex",))
def sex_valid(ctx: Context) -> pl.DataFrame:
    """Sex present and M, F or U (from 2024/25); before, GenderCurrent present and 0, 1, 2
    or 9 (the rule as it then stood)."""
    ids = _ids(ctx)
    column = sex_column(ctx)
    return ids.filter(pl.col(column).is_null() | ~pl.col(column).is_in(ctx.codes(column)))


@rule("8500", table="ChildIdentifiers", fields=("LAchildID",))
def child_id_missing(ctx: Context) -> pl.DataFrame:
    return _ids(ctx).filter(pl.col(CHILD).is_null())


@rule("8510", table="ChildIdentifiers", fields=("LAchildID",))
def child_id_unique(ctx: Context) -> pl.DataFrame:
    """Every record whose LAchildID another record carries too."""
    return _ids(ctx).filter(pl.col(CHILD).is_not_null() & pl.col(CHILD).is_duplicated())


@rule("8520", table="ChildIdentifiers", fields=("PersonBirthDate", "ReferenceDate"))
def birth_after_census(ctx: Context) -> pl.DataFrame:
    return _ids(ctx).filter(pl.col("PersonBirthDate") > ctx.reference_date)


@rule("8525Q", table="ChildIdentifiers", fields=("PersonBirthDate", "ExpectedPersonBirthDate"))
def birth_or_expected(ctx: Context) -> pl.DataFrame:
    """Exactly one of PersonBirthDate and ExpectedPersonBirthDate (as written, valid or not)."""
    born = pl.col("PersonBirthDate__raw").is_not_null()
    expected = pl.col("ExpectedPersonBirthDate__raw").is_not_null()
    return _ids(ctx).filter(born == expected)


@rule("8530Q", table="ChildIdentifiers", fields=("ExpectedPersonBirthDate",))
def expected_birth_range(ctx: Context) -> pl.DataFrame:
    """DfE: a present expected date of birth should be between the reference date minus 30
    days and the reference date plus 9 months (1 March to 31 December of the year the census
    ends); "between" read as excluding both ends, as the open-source validator does."""
    ref = ctx.reference_date
    earliest = ref - dt.timedelta(days=30)
    month = ref.month + 9
    year, month = ref.year + (month - 1) // 12, (month - 1) % 12 + 1
    latest = dt.date(year, month, min(ref.day, calendar.monthrange(year, month)[1]))
    expected = pl.col("ExpectedPersonBirthDate")
    return _ids(ctx).filter(
        expected.is_not_null() & ((expected <= earliest) | (expected >= latest))
    )


@rule("8535Q", table="ChildIdentifiers", fields=("PersonDeathDate", "PersonBirthDate"))
def death_before_birth(ctx: Context) -> pl.DataFrame:
    return _ids(ctx).filter(pl.col("PersonDeathDate") < pl.col("PersonBirthDate"))


@rule("8545Q", table="ChildIdentifiers", fields=("PersonDeathDate",))
def death_in_year(ctx: Context) -> pl.DataFrame:
    return _ids(ctx).filter(
        pl.col("PersonDeathDate").is_not_null() & ~in_year("PersonDeathDate", ctx)
    )


@rule("4008", table="ChildIdentifiers", fields=("PersonDeathDate", "CINPlanStartDate"))
def cin_plan_after_death(ctx: Context) -> list[Flag]:
    """A CIN plan of the child starting after the child's date of death: both rows flagged."""
    plans = with_child(ctx.table("CINplanDates"), ctx, ["PersonDeathDate", "ROW_NUMBER"])
    bad = plans.filter(pl.col("CINPlanStartDate") > pl.col("PersonDeathDate"))
    return [
        Flag("ChildIdentifiers", rows_of(_ids(ctx), bad["ROW_NUMBER_child"]), ("PersonDeathDate",)),
        Flag("CINplanDates", bad, ("CINPlanStartDate",)),
    ]


@rule("4009Q", table="ChildIdentifiers", fields=("PersonDeathDate", "CINPlanEndDate"))
def cin_plan_ends_after_death(ctx: Context) -> list[Flag]:
    plans = with_child(ctx.table("CINplanDates"), ctx, ["PersonDeathDate", "ROW_NUMBER"])
    bad = plans.filter(pl.col("CINPlanEndDate") > pl.col("PersonDeathDate"))
    return [
        Flag("ChildIdentifiers", rows_of(_ids(ctx), bad["ROW_NUMBER_child"]), ("PersonDeathDate",)),
        Flag("CINplanDates", bad, ("CINPlanEndDate",)),
    ]


@rule("8590", table="ChildIdentifiers", fields=("LAchildID",))
def child_has_cin_episode(ctx: Context) -> pl.DataFrame:
    cin_children = ctx.table("CINdetails").get_column(CHILD).drop_nulls().unique()
    return _ids(ctx).filter(~pl.col(CHILD).is_in(cin_children.implode()).fill_null(False))


def _unborn() -> pl.Expr:
    return (
        pl.col("PersonBirthDate__raw").is_null() & pl.col("ExpectedPersonBirthDate").is_not_null()
    )


@rule(
    "8750", table="ChildIdentifiers", fields=("Sex", "PersonBirthDate", "ExpectedPersonBirthDate")
)
def unborn_sex(ctx: Context) -> pl.DataFrame:
    """Unborn (expected date of birth and no date of birth): Sex must be U from 2024/25;
    GenderCurrent must be 0 before."""
    column = sex_column(ctx)
    unknown = "U" if column == "Sex" else "0"
    return _ids(ctx).filter(_unborn() & (pl.col(column).is_null() | (pl.col(column) != unknown)))


@rule("8770Q", table="ChildIdentifiers", fields=("UPNunknown", "UPNunknown"))
def upn_for_school_age(ctx: Context) -> pl.DataFrame:
    """A child with a referral that went on to further action (ReferralNFA false/0) and of
    school age must have a UPN or a reason UN2-UN7 (UN1, "not of school age", does not do).
    School age changed in 2024/25 (the rule's `changed_in`): from 2024/25, born on or before
    31 August four years before the census's 31 August (ReferenceDate + 5 months - 4 years);
    before, born on or before the reference date minus 6 years ("more than 5 years old")."""
    ref = ctx.reference_date
    cutoff = dt.date(ref.year - 4, 8, 31) if ctx.year >= 2025 else dt.date(ref.year - 6, 3, 31)
    further = ctx.table("CINdetails").filter(is_false("ReferralNFA")).get_column(CHILD).drop_nulls()
    reasons = [c for c in ctx.codes("UPNunknown") if c != "UN1"]
    return _ids(ctx).filter(
        (pl.col("PersonBirthDate") <= cutoff)
        & pl.col(CHILD).is_in(further.unique().implode())
        & pl.col("UPN").is_null()
        & ~pl.col("UPNunknown").is_in(reasons).fill_null(False)
    )


@rule("8772", table="ChildIdentifiers", fields=("UPNunknown", "ReferralNFA"))
def un7_with_further_action(ctx: Context) -> list[Flag]:
    """DfE: if UPNunknown is UN7 (referral with no further action), every CIN details episode of
    the child must have ReferralNFA 1 or true. The child's record and each episode that is not
    are flagged."""
    un7 = _ids(ctx).filter(pl.col("UPNunknown") == "UN7")
    episodes = ctx.table("CINdetails").filter(
        pl.col(CHILD).is_in(un7.get_column(CHILD).drop_nulls().implode())
        & pl.col("ReferralNFA").is_not_null()
        & ~is_true("ReferralNFA")
    )
    return [
        Flag(
            "ChildIdentifiers",
            un7.filter(pl.col(CHILD).is_in(episodes.get_column(CHILD).implode())),
            ("UPNunknown",),
        ),
        Flag("CINdetails", episodes, ("ReferralNFA",)),
    ]


@rule("8775Q", table="ChildIdentifiers", fields=("PersonBirthDate", "CINclosureDate"))
def over_25(ctx: Context) -> list[Flag]:
    """Born more than 25 years before the reference date, with a CIN episode still open or
    closed after the 25th birthday: the child's record and those episodes are flagged."""
    ref = ctx.reference_date
    limit = dt.date(ref.year - 25, ref.month, ref.day)
    old = _ids(ctx).filter(pl.col("PersonBirthDate") < limit)
    if old.height == 0:
        return []
    cin = ctx.table("CINdetails").join(
        old.select(CHILD, pl.col("PersonBirthDate"), pl.col("ROW_NUMBER").alias("_child_row")),
        on=CHILD,
    )
    bad = cin.filter(
        pl.col("CINclosureDate").is_null()
        | (pl.col("CINclosureDate") > pl.col("PersonBirthDate").dt.offset_by("25y"))
    )
    return [
        Flag("ChildIdentifiers", rows_of(old, bad["_child_row"]), ("PersonBirthDate",)),
        Flag("CINdetails", bad, ("CINclosureDate",)),
    ]
