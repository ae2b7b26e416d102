"""The date arithmetic facts are defined by: whole months (满月) and age in whole years (周岁).

A month is complete on the same day-of-month of a later month, clamped to that month's end; every
month count, age and forecast date of the engine is computed here, so they all agree.
"""

from __future__ import annotations

import calendar
from datetime import date


def add_months(d: date, months: int) -> date:
    """``d`` moved by whole months; a day that does not exist is clamped to the month's end.

    Jan 31 + 1 month = Feb 28 (Feb 29 in a leap year); Feb 29 + 12 months = Feb 28.
    """
    index = d.year * 12 + (d.month - 1) + months
    year, month0 = divmod(index, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(d.day, last))


def whole_months_between(start: date, end: date) -> int:
    """Whole months elapsed from ``start`` to ``end`` (floor); 0 when ``end`` <= ``start``.

    满月计算：自起始日起，每到（按月末截断的）同日即满一个月，不足一月不计。
    A month is complete on the same day-of-month of a later month, clamped to that month's last
    day: from Jan 31 the first month completes on Feb 28/29, the second on Mar 31.
    """
    if end <= start:
        return 0
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if add_months(start, months) > end:
        months -= 1
    return months


def age_on(birth: date, as_of: date) -> int:
    """Age in whole years (周岁) on ``as_of``; it increases on the birthday itself.

    Someone born on Feb 29 turns a year older on Feb 28 in common years (the same clamping as
    :func:`add_months`), so ``age_on(b, d) == whole_months_between(b, d) // 12`` always.
    """
    if as_of <= birth:
        return 0
    years = as_of.year - birth.year
    if add_months(birth, 12 * years) > as_of:
        years -= 1
    return years
