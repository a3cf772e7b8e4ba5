"""Business-time arithmetic against hand-checked cases (2026, China, 09:00–12:00 + 13:30–18:00)."""

from datetime import date, timedelta

import chinese_calendar
import pytest

from engine.calendar import CalendarMissing, WorkCalendar, deadline, target_minutes
from tests.times import SH, at


def china_2026() -> WorkCalendar:
    overrides = {}
    day = date(2026, 1, 1)
    while day.year == 2026:
        working = chinese_calendar.is_workday(day)
        if working != (day.isoweekday() <= 5):
            overrides[day] = working
        day += timedelta(days=1)
    return WorkCalendar.build(
        [["09:00", "12:00"], ["13:30", "18:00"]], overrides=overrides, known_years={2026}
    )


CAL = china_2026()


def test_friday_evening_plus_8_business_hours_is_monday_17_30():
    assert deadline(at("2026-11-20 17:00"), "8h", CAL).astimezone(SH) == at("2026-11-23 17:30")


def test_three_business_days_before_national_day_end_on_the_make_up_saturday():
    assert deadline(at("2026-09-30 16:00"), "3d", CAL).astimezone(SH) == at("2026-10-10 16:00")


@pytest.mark.parametrize(
    ("start", "target", "due"),
    [
        ("2026-11-23 09:00", "7.5h", "2026-11-23 18:00"),  # one working day
        ("2026-11-23 11:30", "1h", "2026-11-23 14:00"),  # over lunch
        ("2026-11-23 12:45", "30m", "2026-11-23 14:00"),  # starting in lunch
        ("2026-11-23 19:00", "1h", "2026-11-24 10:00"),  # starting after hours
        ("2026-11-21 10:00", "1h", "2026-11-23 10:00"),  # starting on a Saturday
        ("2026-11-23 18:00", "1m", "2026-11-24 09:01"),  # exactly at the end of the day
        ("2026-09-30 17:00", "2h", "2026-10-08 10:00"),  # into National Day
        ("2026-10-09 17:00", "2h", "2026-10-10 10:00"),  # the make-up Saturday works
        ("2026-10-10 17:00", "2h", "2026-10-12 10:00"),  # Sunday 10-11 is rest again
        ("2026-02-13 17:30", "1h", "2026-02-14 09:30"),  # Spring Festival make-up Saturday 02-14
        ("2026-11-23 09:00", "1d", "2026-11-23 18:00"),  # a business day is 7.5 h
    ],
)
def test_hand_checked_deadlines(start, target, due):
    assert deadline(at(start), target, CAL).astimezone(SH) == at(due)


def test_between_counts_only_working_time():
    assert CAL.between(at("2026-11-20 17:00"), at("2026-11-23 17:30")) == 8 * 60
    assert CAL.between(at("2026-09-30 16:00"), at("2026-10-10 16:00")) == 3 * 450
    assert CAL.between(at("2026-11-23 12:00"), at("2026-11-23 13:30")) == 0
    assert CAL.between(at("2026-11-24 10:00"), at("2026-11-23 10:00")) == 0


def test_fractions_of_targets_give_warnings():
    assert deadline(at("2026-11-23 09:00"), "10h", CAL, 0.8).astimezone(SH) == at("2026-11-24 09:30")


def test_calendar_time_ignores_working_hours():
    assert deadline(at("2026-11-20 17:00"), "8h", None).astimezone(SH) == at("2026-11-21 01:00")
    assert target_minutes("3d") == 3 * 24 * 60


def test_a_year_without_data_fails_loudly():
    with pytest.raises(CalendarMissing) as info:
        deadline(at("2026-12-31 17:00"), "2h", CAL)
    assert info.value.year == 2027 and "2027" in str(info.value)


@pytest.mark.parametrize("target", ["", "3", "3w", "-1h", "h"])
def test_malformed_targets_are_refused(target):
    with pytest.raises(ValueError):
        target_minutes(target, CAL)


def test_working_periods_are_checked():
    with pytest.raises(ValueError):
        WorkCalendar.build([["13:00", "12:00"]], known_years={2026})
    with pytest.raises(ValueError):
        WorkCalendar.build([["09:00", "12:00"], ["11:00", "18:00"]], known_years={2026})


def test_the_provisional_calendar_rests_on_weekends_and_new_years_day_only_in_an_unknown_year():
    guess = CAL.provisional()
    # Thursday 12-31 17:00 + 2h: 1h in 2026, then 元旦 (Friday) and the weekend off → Monday 10:00.
    assert deadline(at("2026-12-31 17:00"), "2h", guess).astimezone(SH) == at("2027-01-04 10:00")
    # The Spring Festival is not known: a provisional working day (2027-02-08 is a Monday).
    assert guess.is_workday(date(2027, 2, 8)) and not guess.is_workday(date(2027, 1, 1))
    # Inside known years nothing is guessed: National Day stays off, the make-up Saturday works.
    assert not guess.is_workday(date(2026, 10, 1)) and guess.is_workday(date(2026, 10, 10))
    with pytest.raises(CalendarMissing):
        CAL.is_workday(date(2027, 1, 4))  # the calendar itself still refuses to guess


def test_days_already_entered_for_an_unlisted_year_count_in_the_provisional_calendar():
    entered = WorkCalendar.build(
        [["09:00", "12:00"], ["13:30", "18:00"]], overrides={date(2027, 1, 4): False}, known_years={2026}
    )
    assert deadline(at("2026-12-31 17:00"), "2h", entered.provisional()).astimezone(SH) == at(
        "2027-01-05 10:00"
    )
