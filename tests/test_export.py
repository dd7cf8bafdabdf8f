"""The consolidated workbook, read back with openpyxl: every tally against answers entered
through the store on both routes, with 無回答, 無効, 非該当 and 経路未確定 kept apart."""

from __future__ import annotations

import re
import zipfile

import openpyxl
import pytest
import xlsxwriter

from exports.workbook import ExportError, export_workbook

from .export_helpers import LONG, answer_rows, blocks, scenario_store, sheet_rows


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    folder = tmp_path_factory.mktemp("export")
    store = scenario_store(folder / "scenario.sqlite")
    calls = []
    result = export_workbook(store, folder / "集計.xlsx", progress=lambda done, total: calls.append((done, total)))
    store.close()
    book = openpyxl.load_workbook(result.path)
    return result, book, calls


@pytest.fixture(scope="module")
def summary(exported):
    return blocks(exported[1]["集計"])


def test_sheets_and_progress(exported):
    result, book, calls = exported
    assert book.sheetnames == ["集計", "部局別", "自由記述", "職員登録状況", "回答一覧", "変数一覧", "入力状況", "入力者統計"]
    assert result.sheets == tuple(book.sheetnames)
    total = calls[0][1]
    assert calls[0] == (0, total) and calls[-1] == (total, total)
    assert [done for done, _ in calls] == list(range(total + 1))
    assert result.included == 6 and result.total == 58


def test_single_choice_base_and_empty_states(summary):
    q1 = summary["Ｑ１"]
    assert q1["base"] == 6  # 人事課 (未入力) is not counted
    assert q1["rows"]["行った。"] == (3, pytest.approx(0.5))
    assert q1["rows"]["行っていない。"] == (2, pytest.approx(2 / 6))
    assert q1["rows"]["無回答"] == (1, pytest.approx(1 / 6))
    assert "無効" not in q1["rows"] and "未入力" not in q1["rows"]  # no department there: no row
    assert q1["whole"] == {"行った。": 0.5, "行っていない。": 0.33, "無回答": 0.17}
    assert q1["chart_labels"]["行った。"] == "行った"  # the short label the chart shows
    # Q13 (Q1 = 1 route): 1, 無効, and 総務課 not entered; the Q1-blank department is outside the base.
    q13 = summary["Ｑ１３"]
    assert q13["base"] == 3
    assert q13["rows"]["しっかり配慮している。"][0] == 1
    assert q13["rows"]["無効"] == (1, pytest.approx(1 / 3))
    assert q13["rows"]["未入力"][0] == 1
    assert "非該当（経路外） 2" in q13["base_line"] and "経路未確定 1" in q13["base_line"]
    # Q21 (everyone): 無効 of its own
    q21 = summary["Ｑ２１"]
    assert q21["base"] == 6
    assert q21["rows"]["無効"][0] == 1
    assert q21["rows"]["広報・ＨＰ等の既存の方法での情報発信"][0] == 4


def test_route_q1_2_and_off_route_answer_not_counted(summary, exported):
    q16 = summary["Ｑ１６"]
    assert q16["base"] == 2  # the Q1-blank department's blank Q16 is 経路未確定, not 無回答
    assert q16["rows"]["更新していない"][0] == 1 and q16["rows"]["１５回以上"][0] == 1
    assert "無回答" not in q16["rows"]
    assert "経路未確定 1" in q16["base_line"]
    q17 = summary["Ｑ１７"]
    assert q17["base"] == 1  # 秘書広聴課 answered Q17 although Q16 = 5: not counted
    assert q17["rows"]["ＳＮＳで広く周知する内容ではなかった。"] == (1, pytest.approx(1.0))
    assert any("経路外の設問に記録された回答が 1 件" in w for w in exported[0].warnings)


def test_multi_choice_shares_of_respondents_and_pending_answer_counted(summary):
    q3 = summary["Ｑ３"]
    # 政策課 and 総務課 on the route, the Q1-blank department answered it: 3; YouTube-only is 非該当.
    assert q3["base"] == 3
    assert q3["rows"]["イベント等の周知（参加を呼び掛けるもの）"] == (1, pytest.approx(1 / 3))
    assert q3["rows"]["制度・事業の周知（利用を促進するもの）"][0] == 1
    assert q3["rows"]["その他"][0] == 1
    assert q3["rows"]["無回答"][0] == 1
    assert q3["rows"]["災害・緊急情報"][0] == 0
    assert "非該当（経路外） 3" in q3["base_line"]
    assert "【複数回答可】" in q3["title"]


def test_judged_not_applicable_is_outside_the_base(summary):
    q6 = summary["Ｑ６"]
    assert q6["base"] == 1
    assert "非該当（所属の判断） 1" in q6["base_line"]
    assert "非該当（経路外） 3" in q6["base_line"]  # YouTube only, and both Q1 = 2


def test_matrix_medium_by_frequency(summary):
    q2 = summary["Ｑ２"]
    assert q2["media"] == ["ＬＩＮＥ", "Ｘ（旧Ｔｗｉｔｔｅｒ）", "Ｆａｃｅｂｏｏｋ", "ＹｏｕＴｕｂｅ"]
    assert q2["base"] == 3
    line = {label: cells["ＬＩＮＥ"][0] for label, cells in q2["cells"].items()}
    assert line["１～２週間に１回以上"] == 2 and line["当該媒体では期間内に情報発信をしていない。"] == 1
    youtube = q2["cells"]["当該媒体では期間内に情報発信をしていない。"]["ＹｏｕＴｕｂｅ"]
    assert youtube == (2, pytest.approx(2 / 3))
    assert "無回答" not in q2["cells"]
    assert all(sum(w.values()) == pytest.approx(1.0) for w in q2["whole"].values())


def test_text_and_counts_blocks(summary):
    q20 = summary["Ｑ２０"]
    assert q20["base"] == 6
    assert q20["rows"]["記入あり"][0] == 1 and q20["rows"]["無回答"][0] == 2 and q20["rows"]["未入力"][0] == 3
    q23 = summary["Ｑ２３"]
    assert q23["items"]["回答者数（人）"][:2] == (15, 2)
    # sum, departments, then the rate's numerator and denominator over the departments giving both
    assert q23["items"]["ＬＩＮＥ（人）"] == (9, 2, 9, 15, 2, pytest.approx(0.6))
    assert q23["items"]["Ｘ（旧Ｔｗｉｔｔｅｒ）（人）"] == (2, 1, 2, 10, 1, pytest.approx(0.2))
    for _total, _n, numerator, denominator, _k, rate in list(q23["items"].values())[1:]:
        assert rate == pytest.approx(numerator / denominator)
    assert q23["rows"]["記入あり"][0] == 2 and q23["rows"]["無回答"][0] == 1 and q23["rows"]["未入力"][0] == 3


def test_percentages_are_numbers_with_a_percent_format(exported):
    ws = exported[1]["集計"]
    cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, float)]
    assert cells and all(c.number_format in ("0.0%", "0%") for c in cells)


def test_a_chart_for_every_tabulated_question(exported):
    result, book, _ = exported
    with zipfile.ZipFile(result.path) as archive:
        charts = [archive.read(n).decode("utf-8") for n in archive.namelist() if n.startswith("xl/charts/chart")]
    questions = [q for q in __import__("survey").builtin().questions if q.type.value != "text"]
    assert len(charts) == len(questions) + 3 == 22  # Q2: one pie per medium, as the report
    titles = [re.search(r"<c:title>.*?</c:title>", xml, re.S).group(0) for xml in charts]
    titles = ["".join(re.findall(r"<a:t>(.*?)</a:t>", t, re.S)).replace("\n", "") for t in titles]
    for question in questions:
        mine = [t for t in titles if t.startswith(f"{question.label} ")]
        assert len(mine) == (4 if question.id == "Q2" else 1), question.id
        assert all("Ｎ＝" in t and "…" not in t for t in mine), mine
    assert "Ｑ３ 情報発信の目的（複数回答可）Ｎ＝3" in titles
    assert "Ｑ２ 各メディアの使用頻度【ＬＩＮＥ】Ｎ＝3" in titles
    assert "Ｑ２ 各メディアの使用頻度【Ｘ】Ｎ＝3" in titles  # the row's short label, as the report
    kinds = [re.search(r"<c:(pieChart|barChart)>", xml).group(1) for xml in charts]
    assert kinds.count("pieChart") == 11 + 4  # single choice and the four media of Q2
    assert not any("percentStacked" in xml for xml in charts)


def test_charts_read_the_visible_labels_skip_empty_states_and_keep_colours(exported):
    result, book, _ = exported
    with zipfile.ZipFile(result.path) as archive:
        charts = [archive.read(n).decode("utf-8") for n in archive.namelist() if n.startswith("xl/charts/chart")]
    ws = book["集計"]
    assert ws.column_dimensions["C"].hidden is False
    grey, seen, by_code = "D9D9D9", 0, {}
    for xml in charts:
        refs = re.findall(r"<c:cat>.*?<c:f>(.*?)</c:f>", xml, re.S)
        for ref in refs:
            sheet, cells = ref.split("!")
            column = re.sub(r"[$\d:]", "", cells)[:1]
            if sheet.strip("'") != "集計" or column == "B":
                continue  # the counts chart reads its item names in B
            assert column == "C", ref
            first, last = (int(n) for n in re.findall(r"\d+", cells))
            labels = [ws.cell(r, 3).value for r in range(first, last + 1)]
            counts = [ws.cell(r, 4).value for r in range(first, last + 1)]
            for label, count in zip(labels, counts):
                if label in ("無回答", "無効", "未入力"):
                    assert count > 0, (ref, label)  # no empty state plotted at zero
                    seen += 1
            colours = re.findall(r"<c:dPt>.*?<a:srgbClr val=\"(\w+)\"", xml, re.S)
            codes = [ws.cell(r, 1).value for r in range(first, last + 1)]
            for label, code, colour in zip(labels, codes, colours):
                assert (colour == grey) == (label in ("無回答", "無効", "未入力")), (ref, label, colour)
                if code is not None:
                    by_code.setdefault(code, set()).add(colour)
    assert seen  # the scenario has empty states to check
    assert all(len(colours) == 1 for colours in by_code.values()), by_code  # an option's colour is its code's
    line = next(x for x in charts if "【ＬＩＮＥ】" in x)  # options 2, 3, 4: nobody, so no 「0%」 label
    assert re.findall(r"<c:dLbl><c:idx val=\"(\d+)\"/><c:delete val=\"1\"/>", line) == ["1", "2", "3"]
    q1 = next(x for x in charts if "Ｑ１ 対象期間内" in x)
    assert '<c:showCatName val="1"/>' in q1 and '<c:separator> </c:separator>' in q1


def test_statement_and_warning_on_the_sheet(exported):
    result, book, _ = exported
    top = [r[0] for r in sheet_rows(book["集計"])[:12] if r[0]]
    assert any("集計対象: 状態が「入力中」・「入力済」・「確認済」・「確定」の所属（6 所属／全 58 所属）" in t for t in top)
    assert any(t.startswith("⚠ 入力済でない所属が 53 あります") and "公共施設マネジメント課（入力中）" in t and "人事課（未入力）" in t for t in top)
    assert any("経路未確定" in t for t in top)
    assert "公共施設マネジメント課（入力中）" in result.not_entered
    for sheet in ("部局別", "自由記述", "職員登録状況"):
        assert "集計対象" in "".join(str(r[0]) for r in sheet_rows(book[sheet])[:3]), sheet


def test_by_group(exported):
    rows = sheet_rows(exported[1]["部局別"])
    q1 = next(i for i, r in enumerate(rows) if str(r[0]).startswith("Ｑ１　"))
    assert rows[q1 + 1][:7] == ["部局", "基数", "1 行った", "2 行っていない", "無回答", "無効", "未入力"]
    by = {r[0]: r[1:7] for r in rows[q1 + 2 : q1 + 5]}
    assert by["総合政策部"] == [5, 2, 2, 1, 0, 0]
    assert by["総務部"] == [1, 1, 0, 0, 0, 0]
    assert by["合計"] == [6, 3, 2, 1, 0, 0]
    titles = [r[0].split("　")[0] for r in rows if str(r[0]).startswith("Ｑ")]
    assert titles == ["Ｑ１", "Ｑ１９", "Ｑ２１"]  # the single-choice questions every department answers


def text_groups(rows) -> dict[str, dict]:
    """自由記述 as {Ｑｎ: {"count": n, "heading": ..., "boxes": {box heading: [(部局, 所属, 記述)]}}}."""
    out, current, box = {}, None, ""
    for row in rows[4:]:
        first = row[0]
        if isinstance(first, str) and first.startswith("Ｑ") and "（記述 " in first:
            label = first.split("　")[0]
            current = out[label] = {"heading": first, "count": int(first.rsplit("（記述 ", 1)[1].split(" ")[0]), "boxes": {}}
            box = ""
        elif current is not None and first and row[1] is None and row[2] is None:
            box = first
        elif current is not None and first and first != "部局":
            current["boxes"].setdefault(box, []).append(tuple(row[:3]))
    return out


def test_free_texts_grouped_ready_to_quote(exported):
    rows = sheet_rows(exported[1]["自由記述"])
    groups = text_groups(rows)
    assert groups["Ｑ２０"]["count"] == 1
    assert groups["Ｑ２０"]["boxes"][""] == [("総合政策部", "政策課", "窓口で案内する。")]
    assert groups["Ｑ２０"]["heading"].startswith("Ｑ２０　市民等のソーシャルメディアの利用促進")
    q3 = groups["Ｑ３"]["boxes"]
    assert q3 == {"5 その他：その他の内容（1 件）": [("総合政策部", "政策課", "=1+1")]}
    assert ("総合政策部", "秘書広聴課", "周知する内容がない。") in groups["Ｑ１８"]["boxes"]["3 使う予定はない。：Ｑ１７に回答した理由以外の理由（1 件）"]
    every = [t for g in groups.values() for entries in g["boxes"].values() for t in entries]
    assert all(len(t) == 3 for t in every) and len(rows[5]) == 3  # 部局 / 所属 / 記述 only
    assert not any(t[2] == "経路外の記述" for t in every)  # off the route: not quoted
    assert sum(g["count"] for g in groups.values()) == len(every)


def test_staff_registration_sheet(exported):
    rows = sheet_rows(exported[1]["職員登録状況"])
    totals = {r[0]: r[1:7] for r in rows if r[0] in ("回答者数", "ＬＩＮＥ", "Ｘ（旧Ｔｗｉｔｔｅｒ）")}
    assert totals["回答者数"][:2] == [15, 2]
    # total, departments, then the rate's numerator, denominator and departments, and the rate
    assert totals["ＬＩＮＥ"] == [9, 2, 9, 15, 2, pytest.approx(0.6)]
    assert totals["Ｘ（旧Ｔｗｉｔｔｅｒ）"] == [2, 1, 2, 10, 1, pytest.approx(0.2)]
    rule = next(r[0] for r in rows if str(r[0]).startswith("※ 割合＝"))
    assert "上限の項目" not in rule and "両方を記入した所属だけ" in rule
    summary_rule = next(r[1] for r in sheet_rows(exported[1]["集計"]) if str(r[1]).startswith("※ 割合＝"))
    assert summary_rule == rule.removesuffix(" 下の表の「割合」は所属ごとの値です。")  # one wording
    per = {r[1]: r for r in rows if r[1] in ("政策課", "秘書広聴課", "人事課")}
    assert per["政策課"][2:7] == [10, 4, 2, 1, 0]
    assert per["政策課"][7] == pytest.approx(0.4)
    assert per["秘書広聴課"][-1] == "無回答"
    assert "人事課" not in per  # not started: not counted


def test_answer_list_codes_and_empty_states(exported):
    rows = answer_rows(exported[1]["回答一覧"])
    assert len(rows) == 6
    policy = rows["政策課"]
    assert policy["Q1"] == 1 and policy["Q3_1"] == 1 and policy["Q3_2"] == 0 and policy["Q3_5_text"] == "=1+1"
    assert policy["Q16"] == "非該当" and policy["Q17_1"] == "非該当"
    youtube = rows["シティプロモーション課"]
    assert [youtube[f"Q3_{c}"] for c in range(1, 6)] == ["非該当"] * 5
    assert youtube["Q13"] == "無効（1,2）" and youtube["Q19"] == "無回答"
    assert youtube["Q23_x"] is None and youtube["Q23_line"] == 5
    blank = rows["（仮称）三軒屋公園等複合施設整備推進室"]
    assert blank["Q1"] == "無回答" and blank["Q16"] == "無回答"
    assert blank["Q2_line"] is None and blank["Q4_1"] is None  # never seen: empty, not zeros
    assert rows["総務課"]["Q6"] == "非該当" and rows["総務課"]["Q7_1"] == "非該当"
    assert rows["秘書広聴課"]["Q17_1"] == "非該当"  # the recorded off-route answer is not exported


def test_user_text_is_never_a_formula_or_link(exported):
    result, book, _ = exported
    texts = {"=1+1", "@x", "-3", "https://example.com/effect"}
    seen = set()
    for name in ("回答一覧", "自由記述"):
        ws = book[name]
        for row in ws.iter_rows():
            for cell in row:
                if cell.value in texts:
                    assert cell.data_type == "s", (name, cell.coordinate)
                    seen.add(cell.value)
        assert not ws._hyperlinks
    assert seen == texts
    with zipfile.ZipFile(result.path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/sheet"):
                assert "<f>" not in archive.read(name).decode("utf-8"), name


def test_codebook_and_progress_sheets(exported):
    book = exported[1]
    codebook = {r[0]: r for r in sheet_rows(book["変数一覧"])[3:] if r[0]}
    assert codebook["Q1"][4].startswith("1 行った。\n2 行っていない。")
    assert codebook["Q3_5_text"][3].endswith("その他の内容")
    assert "Q1 = 1 のとき非該当（Q15→Q19）" in codebook["Q17_1"][5]
    assert "Q1 = 2 のとき非該当（Q1→Q16）" in codebook["Q3_1"][5]
    assert "Q16 = 5 のとき非該当（Q16→Q18）" in codebook["Q17_1"][5]
    assert "所属の判断による非該当あり" in codebook["Q6"][5]
    assert codebook["Q19"][5] == "全所属（分岐なし）"
    assert [codebook[n][0] for n in ("部局", "所属", "状態")] == ["部局", "所属", "状態"]
    assert "入力済" in codebook["状態"][4]
    status = {r[1]: r for r in sheet_rows(book["入力状況"])[3:]}
    assert len(status) == 58
    assert status["総務課"][2] == "確認済" and status["総務課"][8] == "reviewer"
    assert status["人事課"][2:4] == ["未入力", "－"]
    assert status["（仮称）三軒屋公園等複合施設整備推進室"][5].startswith("Ｑ１")


def test_frozen_headers_filters_and_print_setup(exported):
    book = exported[1]
    assert book["回答一覧"].freeze_panes == "C4"
    assert book["集計"].freeze_panes == "C2"  # the title, and 番号 / 選択肢 of every table
    assert book["部局別"].freeze_panes == "B1"  # 部局
    assert book["部局別"].row_breaks.count == 2  # one table per page (three tables)
    assert book["集計"].page_setup.fitToHeight == 0 and book["集計"].sheet_properties.pageSetUpPr.fitToPage  # fit to width
    assert book["職員登録状況"].print_title_rows
    assert book["回答一覧"].auto_filter.ref.startswith("A3:")
    for ws in book.worksheets:
        assert ws.page_setup.paperSize == 9, ws.title  # A4
        assert ws.page_setup.orientation == "landscape"


def test_confirmed_only(tmp_path):
    store = scenario_store(tmp_path / "db.sqlite")
    result = export_workbook(store, tmp_path / "確認済.xlsx", confirmed_only=True)
    book = openpyxl.load_workbook(result.path)
    assert result.included == 1
    summary = blocks(book["集計"])
    assert summary["Ｑ１"]["base"] == 1 and summary["Ｑ１"]["rows"]["行った。"][0] == 1
    top = [r[0] for r in sheet_rows(book["集計"])[:12] if r[0]]
    assert any("状態が「確認済」・「確定」の所属（1 所属／全 58 所属）" in t for t in top)
    assert any(t.startswith("⚠ 確認済・確定でない 57 所属は集計に含めていません") and "政策課（入力済）" in t for t in top)
    assert list(answer_rows(book["回答一覧"])) == ["総務課"]


def test_long_text_is_reported_not_cut_silently(tmp_path):
    store = scenario_store(tmp_path / "db.sqlite", {"政策課": {"Q22": __import__("survey").Text(LONG)}})
    result = export_workbook(store, tmp_path / "long.xlsx")
    assert len(result.long_texts) == 1
    assert "政策課 Q22" in result.long_texts[0] and "33,000 文字" in result.long_texts[0]
    assert result.long_texts[0] in result.warnings
    book = openpyxl.load_workbook(result.path)
    cell = answer_rows(book["回答一覧"])["政策課"]["Q22"]
    assert len(cell) <= 32_767 and cell.startswith("長" * 100) and "以下省略" in cell
    quoted = next(r[2] for r in sheet_rows(book["自由記述"]) if r[1] == "政策課" and r[2] and "以下省略" in r[2])
    assert len(quoted) <= 32_767 and "以下省略" in quoted
    top = [r[0] for r in sheet_rows(book["集計"])[:14] if r[0]]
    assert any("政策課 Q22" in t for t in top)


def test_second_questionnaire(tmp_path):
    """Nothing is tied to the built-in form: the training questionnaire exports too."""
    from db import open_store
    from survey import Blank, Counts, Multi, Single, Text

    from .conftest import FIXTURES
    from .export_helpers import enter

    store = open_store(tmp_path / "t.sqlite", "clerk", definition=FIXTURES / "training.toml")
    enter(store, "人事課", {"A1": Single(1), "A2": Multi(frozenset({1, 9}), {9: "=SUM(A1)"}), "A3": Single(2),
                            "B1": Text("接遇"), "B2": Counts({"staff": 10, "trained": 4})})
    enter(store, "総務課", {"A1": Single(0), "B1": Blank(), "B2": Counts({"staff": 5, "trained": 5})})
    result = export_workbook(store, tmp_path / "training.xlsx")
    book = openpyxl.load_workbook(result.path)
    assert "人数集計" in book.sheetnames
    summary = blocks(book["集計"])
    assert summary["A1"]["base"] == 2
    assert summary["A1"]["rows"]["はい"][0] == 1 and summary["A1"]["rows"]["いいえ"][0] == 1
    assert summary["A2"]["base"] == 1 and "非該当（経路外） 1" in summary["A2"]["base_line"]
    assert summary["B2"]["items"]["参加者数（人）"] == (9, 2, 9, 15, 2, pytest.approx(0.6))
    with zipfile.ZipFile(result.path) as archive:
        assert len([n for n in archive.namelist() if n.startswith("xl/charts/chart")]) == 4
    assert answer_rows(book["回答一覧"])["人事課"]["A2_9_text"] == "=SUM(A1)"


def test_writes_nothing_when_it_cannot_write(tmp_path, monkeypatch):
    store = scenario_store(tmp_path / "db.sqlite")
    with pytest.raises(ExportError, match="フォルダ「.*」がありません"):
        export_workbook(store, tmp_path / "no-such-folder" / "x.xlsx")
    with pytest.raises(ExportError, match="はフォルダです"):
        (tmp_path / "dir.xlsx").mkdir()
        export_workbook(store, tmp_path / "dir.xlsx")
    # The target is open in Excel (Windows refuses to replace it): a clear message, the old
    # file untouched, no temporary file left behind.
    target = tmp_path / "open.xlsx"
    target.write_bytes(b"old")
    import exports.workbook as workbook

    def refuse(*_args):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(workbook.os, "replace", refuse)
    with pytest.raises(ExportError) as error:
        export_workbook(store, target)
    assert "書き込めませんでした" in error.value.message and "閉じてから" in error.value.message
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".xlsx")) == ["dir.xlsx", "open.xlsx"]


def test_failures_while_writing_leave_nothing(tmp_path, monkeypatch):
    import exports.workbook as workbook
    from xlsxwriter.exceptions import FileCreateError

    store = scenario_store(tmp_path / "db.sqlite")

    def no_folder_access(*_args, **_kwargs):
        raise PermissionError(13, "Permission denied")

    with monkeypatch.context() as patch:  # a folder the user may not write to
        patch.setattr(workbook, "open", no_folder_access, raising=False)
        with pytest.raises(ExportError, match="書き込めませんでした"):
            export_workbook(store, tmp_path / "a.xlsx")

    def disk_full(_self):
        raise FileCreateError(OSError(28, "No space left on device"))

    monkeypatch.setattr(xlsxwriter.Workbook, "close", disk_full)
    with pytest.raises(ExportError, match="書き込めませんでした"):
        export_workbook(store, tmp_path / "b.xlsx")
    assert not [p for p in tmp_path.iterdir() if p.suffix == ".xlsx"]


def test_unwritable_folder(tmp_path):
    import os

    if os.geteuid() == 0:
        pytest.skip("root writes anywhere")
    folder = tmp_path / "ro"
    folder.mkdir()
    store = scenario_store(tmp_path / "db.sqlite")
    folder.chmod(0o500)
    try:
        with pytest.raises(ExportError, match="書き込めませんでした"):
            export_workbook(store, folder / "x.xlsx")
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o700)


def test_workbook_font_is_japanese(exported):
    ws = exported[1]["集計"]
    assert ws["A1"].font.name == "ＭＳ Ｐゴシック"
    assert exported[1]["回答一覧"]["A4"].font.name == "ＭＳ Ｐゴシック"


def test_write_in_a_worker_thread(tmp_path):
    """The TUI reads in the store's thread, then writes in a worker: no database needed there."""
    import threading

    from exports import read_records, save_workbook

    store = scenario_store(tmp_path / "db.sqlite")
    records = read_records(store)
    done = []
    worker = threading.Thread(
        target=lambda: done.append(save_workbook(tmp_path / "w.xlsx", store.questionnaire, records))
    )
    worker.start()
    worker.join()
    assert done and done[0].path.exists() and done[0].included == 6
