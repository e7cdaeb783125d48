"""The Jinja2 environment every page is rendered with: GOV.UK Frontend macros, URLs, static files,
number and date formatting in GOV.UK style."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.contrib.messages import get_messages
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from jinja2 import ChoiceLoader, Environment, PackageLoader, PrefixLoader
from markupsafe import Markup

from alliance.common import statutory_codes
from alliance.common.numbers import MINUS, number, percent, signed


def url(name: str, *args: Any, **kwargs: Any) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def govuk_date(value: dt.date | dt.datetime | None, with_time: bool = False) -> str:
    """'5 March 2025' (and '2:30pm' with a time), as the GOV.UK style guide writes dates."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        text = f"{value.day} {value:%B %Y}"
        if with_time:
            hour = value.hour % 12 or 12
            minutes = f":{value.minute:02d}" if value.minute else ""
            text += f" at {hour}{minutes}{'am' if value.hour < 12 else 'pm'}"
        return text
    return f"{value.day} {value:%B %Y}"


_MONTHS = {
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
}


def in_sentence(text: str | None) -> str:
    """A label put inside a sentence: its first letter in lower case ('Children looked after at
    31 March' → 'children looked after at 31 March'), unlike Jinja's `lower`, which also lowers
    month names and abbreviations ('31 march', 'ks4'). A first word that is an abbreviation
    ('KS4', 'CLA') or a month is kept."""
    if not text:
        return ""
    first = text.split(maxsplit=1)[0].strip("(%,.;:")
    if first in _MONTHS or sum(ch.isupper() for ch in first) > 1:
        return text
    return text[0].lower() + text[1:]


_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def dates_written_out(text: object) -> str:
    """Text recorded with ISO dates (a history's before and after values: '2025-06-28') with each
    date written the GOV.UK way ('28 June 2025'); anything that is not a real date is kept."""

    def written(match: re.Match[str]) -> str:
        try:
            return govuk_date(dt.date(*(int(part) for part in match.groups())))
        except ValueError:
            return match.group(0)

    return _ISO_DATE.sub(written, "" if text is None else str(text))


def ordinal(n: int) -> str:
    """21 → '21st', 12 → '12th' (for the WorkPlace's birthdays and the like)."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def money(pence: int | None) -> str:
    """Money is held in whole pence; shown as £1,234.56 (or £1,234 when whole pounds)."""
    if pence is None:
        return "–"
    pounds, rem = divmod(abs(int(pence)), 100)
    sign = MINUS if pence < 0 else ""
    return f"{sign}£{pounds:,}" + (f".{rem:02d}" if rem else "")


def environment(**options: Any) -> Environment:
    """Django's Jinja2 backend passes a loader for the apps' `jinja2/` folders; GOV.UK Frontend's
    macros are added under the `govuk_frontend_jinja/` prefix they import each other by."""
    app_loader = options.pop("loader")
    options["loader"] = ChoiceLoader(
        [
            app_loader,
            PrefixLoader(
                {"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja", "templates")}
            ),
        ]
    )
    # Django's Jinja2 backend passes autoescape=True in `options`.
    env = Environment(extensions=["jinja2.ext.do", "jinja2.ext.loopcontrols"], **options)  # noqa: S701
    rendered: dict[str, Markup] = {}

    def rendered_once(name: str) -> Markup:
        """Template `name`, rendered without any context the first time it is asked for and kept
        for the life of the process: only for parts that are the same on every page for every
        person (the footer), never for anything that depends on the request or the person."""
        if name not in rendered:
            rendered[name] = Markup(env.get_template(name).render())  # noqa: S704 - our template's own output, escaped as it rendered
        return rendered[name]

    env.globals.update(
        rendered_once=rendered_once,
        url=url,
        static=static,
        get_messages=get_messages,
        now=timezone.now,
        code_key=statutory_codes.key_for,
    )
    env.filters.update(
        govuk_date=govuk_date,
        dates_written_out=dates_written_out,
        number=number,
        percent=percent,
        signed=signed,
        money=money,
        in_sentence=in_sentence,
        ordinal=ordinal,
        with_meaning=statutory_codes.with_meaning,
    )
    return env
