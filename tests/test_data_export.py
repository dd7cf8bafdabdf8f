"""chosho export --data DIR: the .dta, the CSV and the codebook read back with pandas."""

from __future__ import annotations

import pandas as pd
import pytest
from pandas.io.stata import StataMissingValue

from exports.layout import variables
from survey import Text, builtin
from tui.cli import main

from .export_helpers import scenario_store


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("data")
    # free text "NA" (and "None") must come back as text, not as missing
    scenario_store(folder / "db.sqlite", {"政策課": {"Q22": Text("NA")}, "総務課": {"Q20": Text("None")}}).close()
    assert main(["--db", str(folder / "db.sqlite"), "export", "--data", str(folder / "out")]) == 0
    return folder / "out"


def test_files_and_no_workbook_unless_asked(data):
    assert sorted(p.name for p in data.iterdir()) == [
        "chosho_data.csv", "chosho_data.dta", "chosho_data_codebook.csv", "読み込み方.txt",
    ]
    assert not list(data.parent.glob("*.xlsx"))
    assert data.joinpath("chosho_data.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # BOM for Excel


def test_stata_file_has_labels_and_extended_missing_codes(data):
    path = data / "chosho_data.dta"
    with pd.read_stata(path, iterator=True) as reader:
        value_labels = reader.value_labels()
        variable_labels = reader.variable_labels()
    assert value_labels["Q1"] == {1: "行った。", 2: "行っていない。"}
    assert value_labels["Q3_1"] == {0: "非選択", 1: "選択"}
    assert variable_labels["Q3_1"].startswith("Ｑ３ 情報発信の目的：1 イベント等の周知")
    assert variable_labels["部局"] == "部局"
    raw = pd.read_stata(path, convert_missing=True, convert_categoricals=False).set_index("所属")
    def code(name, column):
        value = raw.loc[name, column]
        return value.string if isinstance(value, StataMissingValue) else value
    assert code("政策課", "Q1") == 1
    assert code("（仮称）三軒屋公園等複合施設整備推進室", "Q1") == ".a"  # 無回答
    assert code("シティプロモーション課", "Q13") == ".b"  # 無効
    assert code("政策課", "Q16") == ".c"  # 非該当
    assert code("総務課", "Q13") == "."  # not entered
    plain = pd.read_stata(path, convert_categoricals=False)
    assert plain["Q23_respondents"].sum() == 15  # numbers, the empty states missing
    assert plain.set_index("所属").loc["政策課", "Q22"] == "NA"


def test_csv_reads_as_numbers_and_keeps_text(data):
    frame = pd.read_csv(
        data / "chosho_data.csv", encoding="utf-8-sig", keep_default_na=False, na_values=["", ".a", ".b", ".c"]
    )
    assert list(frame.columns[:3]) == ["部局", "所属", "状態"]
    numeric = [v.name for v in variables(builtin()) if v.kind in ("code", "tick", "row", "item")]
    assert all(pd.api.types.is_numeric_dtype(frame[c]) for c in numeric)
    assert frame["Q23_respondents"].sum() == 15
    texts = frame.set_index("所属")
    assert texts.loc["政策課", "Q22"] == "NA" and texts.loc["総務課", "Q20"] == "None"
    raw = pd.read_csv(data / "chosho_data.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False).set_index("所属")
    assert raw.loc["政策課", "Q16"] == ".c" and raw.loc["総務課", "Q13"] == ""


def test_long_codebook(data):
    book = pd.read_csv(data / "chosho_data_codebook.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(book.columns) == ["variable", "code", "label"]
    q1 = book[book.variable == "Q1"]
    assert list(q1.code) == ["", "1", "2", ".a", ".b", ".c", "（空欄）"]
    assert q1.iloc[1].label == "行った。" and q1.iloc[3].label.startswith("無回答")
    assert {"部局", "所属", "状態"} <= set(book.variable)
    assert len(book) > 400  # one row per value


def test_unusable_folder_is_refused_in_japanese(tmp_path, capsys):
    scenario_store(tmp_path / "db.sqlite").close()
    (tmp_path / "file").write_text("x")
    assert main(["--db", str(tmp_path / "db.sqlite"), "export", "--data", str(tmp_path / "file")]) == 3
    assert "フォルダを指定してください" in capsys.readouterr().err
