"""Issue 27, part 2: dates as the paper writes them (survey.dates)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, strategies as st

from survey import InputError
from survey.answers import Blank, Date, decode, encode, parse_day
from survey.dates import ERAS, DateError, era_of, parse_date, shown_date, wareki

FIRST = date(1873, 1, 1)  # 明治6年1月1日: the first Gregorian day


@pytest.mark.parametrize(
    "typed",
    ["R6.4.1", "令和6年4月1日", "R060401", "2024/4/1", "2024-04-01", "Ｒ６．４．１", "令和６年４月１日", "r6.4.1",
     "R06.04.01", "令6.4.1", "R6/4/1", "令和6.4.1", "2024年4月1日", "20240401", "２０２４／４／１", "2024-04-01 00:00:00"],
)
def test_every_form_a_clerk_keys_is_the_same_day(typed):
    assert parse_date(typed) == date(2024, 4, 1)


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        # every era edge: the last day of one era and the first of the next
        ("M45.7.29", date(1912, 7, 29)), ("大正元年7月30日", date(1912, 7, 30)),
        ("T15.12.24", date(1926, 12, 24)), ("昭和元年12月25日", date(1926, 12, 25)),
        ("S64.1.7", date(1989, 1, 7)), ("平成元年1月8日", date(1989, 1, 8)),
        ("H31.4.30", date(2019, 4, 30)), ("令和元年5月1日", date(2019, 5, 1)), ("R010501", date(2019, 5, 1)),
        ("M6.1.1", FIRST),
    ],
)
def test_each_era_edge_is_read(typed, day):
    assert parse_date(typed) == day


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("令和元年4月1日", "2019-04-01 は平成31年4月1日です"), ("平成32年1月1日", "2020-01-01 は令和2年1月1日です"),
        ("S64.1.8", "1989-01-08 は平成元年1月8日です"), ("H1.1.7", "1989-01-07 は昭和64年1月7日です"),
        ("T1.7.29", "1912-07-29 は明治45年7月29日です"), ("M45.7.30", "1912-07-30 は大正元年7月30日です"),
        ("T15.12.25", "1926-12-25 は昭和元年12月25日です"), ("S1.12.24", "1926-12-24 は大正15年12月24日です"),
        ("M5.12.2", "旧暦の日付"), ("明治元年1月1日", "明治は1868年10月23日から"),
        ("2024/2/30", "2月30日はありません（2024年2月は29日まで）"), ("2023/2/29", "2023年2月は28日まで"),
        ("R6.13.1", "13月はありません"), ("R0.1.1", "令和0年はありません"), ("1800/1/1", "より前の日付は扱いません"),
        ("R6.4", "日付として読めません"), ("きのう", "日付として読めません"), ("X6.4.1", "日付として読めません"),
    ],
)
def test_impossible_dates_are_refused_with_the_reason(typed, reason):
    with pytest.raises(DateError, match=reason) as caught:
        parse_date(typed)
    assert isinstance(caught.value, InputError)


def test_shown_in_wareki_and_iso_and_stored_as_iso():
    assert shown_date(date(2019, 5, 1)) == "令和元年5月1日（2019-05-01）"
    assert wareki(date(1989, 1, 7)) == "昭和64年1月7日"
    assert encode(Date(date(2024, 4, 1))) == {"date": "2024-04-01"}
    assert parse_day("") == Blank()


def test_the_era_table_runs_without_gaps_from_meiji_to_reiwa():
    assert [e.name for e in ERAS] == ["明治", "大正", "昭和", "平成", "令和"]
    for earlier, later in zip(ERAS, ERAS[1:]):
        assert era_of(later.start) is later and era_of(later.start - timedelta(days=1)) is earlier
    assert era_of(FIRST - timedelta(days=1)) is None


_DAYS = st.dates(min_value=FIRST, max_value=date(2100, 12, 31))


@given(_DAYS)
def test_every_valid_day_of_each_era_round_trips_in_every_written_form(day):
    era = era_of(day)
    year = day.year - era.start.year + 1
    forms = [
        wareki(day),
        f"{era.letter}{year}.{day.month}.{day.day}",
        f"{era.letter}{year:02d}{day.month:02d}{day.day:02d}" if year < 100 else f"{era.letter}{year}.{day.month}.{day.day}",
        f"{day.year}/{day.month}/{day.day}",
        day.isoformat(),
        shown_date(day).split("（")[0],
    ]
    for written in forms:
        assert parse_date(written) == day, written
    assert decode(encode(Date(day))) == Date(day)


@given(_DAYS, st.integers(min_value=1, max_value=400))
def test_a_day_written_in_the_wrong_era_is_refused(day, shift):
    """The day written with the next era's name (before it began) or the previous era's
    (after it ended) is refused, never read as some other day."""
    era = era_of(day)
    index = ERAS.index(era)
    if index + 1 < len(ERAS):
        later = ERAS[index + 1]
        year = day.year - later.start.year + 1
        if year >= 1:
            with pytest.raises(DateError):
                parse_date(f"{later.name}{year}年{day.month}月{day.day}日")
    if index > 0 and era.start.year < day.year:
        earlier = ERAS[index - 1]
        year = day.year - earlier.start.year + 1
        with pytest.raises(DateError):
            parse_date(f"{earlier.name}{year}年{day.month}月{day.day}日")


@given(st.integers(1, 99), st.integers(1, 12), st.integers(29, 31))
def test_a_day_past_the_end_of_its_month_is_refused(year, month, day):
    try:
        real = date(2018 + year, month, day)
    except ValueError:
        real = None
    if real is None:
        with pytest.raises(DateError, match="ありません"):
            parse_date(f"R{year}.{month}.{day}")


def test_the_toml_takes_a_date_question_and_routing_refuses_it():
    from survey.errors import DefinitionError
    from survey.loader import parse_definition
    from survey.model import QuestionType

    base = {"schema": 1, "survey": {"id": "x", "title": "x"}}
    q = parse_definition({**base, "questions": [{"id": "d", "type": "date", "text": "契約日"}]}).question("d")
    assert q.type is QuestionType.DATE and q.type.label == "日付"
    with pytest.raises(DefinitionError, match="日付の設問 d は条件に使えません"):
        parse_definition({**base, "questions": [
            {"id": "d", "type": "date", "text": "契約日"}, {"id": "e", "type": "text", "text": "備考"},
        ], "skips": [{"at": "d", "when": "d = 1", "to": "e"}]})


def test_a_typed_date_in_an_answer_file_is_read_with_the_same_checks(tmp_path, capsys):
    """回答一覧 prepared by hand: a date column holding text as a clerk writes it."""
    import csv

    from db import open_store
    from tui.cli import main

    from .conftest import FIXTURES

    db = tmp_path / "c.sqlite"
    assert main(["--db", str(db), "new", str(FIXTURES / "contracts.xlsx")]) == 0
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    for path, written in ((good, "令和6年4月1日"), (bad, "令和元年4月1日")):
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            out = csv.writer(handle)
            out.writerow(["部局", "所属", "has_contracts", "contract_date"])
            out.writerow(["総務部", "契約課", "1", written])
    assert main(["--db", str(db), "import", str(bad)]) != 0
    assert "平成31年4月1日です" in capsys.readouterr().err
    assert main(["--db", str(db), "import", str(good)]) == 0
    with open_store(db, "x") as store:
        department = next(d for d in store.departments() if d.name == "契約課")
        assert store.response(department_id=department.id).answers["contract_date"] == Date(date(2024, 4, 1))
