"""The ``chosho`` command.

Subcommands import what they need when they run, so ``chosho --help`` stays instant.
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from typing import TYPE_CHECKING

# Only the errors here: the questionnaire's classes are imported by the commands that use them
# (the app's first screen does not).
from survey import BUILTIN_DEFINITION, DefinitionError, InputError
from tui.cli_parser import JapaneseArgumentParser

if TYPE_CHECKING:
    from survey import Questionnaire, Value


def _empty_words() -> dict:
    from survey import Blank, Invalid, NotApplicable

    return {
        "無回答": Blank,
        "blank": Blank,
        "無効": Invalid,
        "invalid": Invalid,
        "非該当": NotApplicable,
        "na": NotApplicable,
    }


_STATUS_MARKS = {"on": "〇", "pending": "△", "off": "－"}


# Every parser of the command line, subcommands included (``add_subparsers`` passes it on):
# argparse's own words in Japanese (tui/cli_parser.py).
_Parser = JapaneseArgumentParser


def build_parser(with_commands: bool = True) -> argparse.ArgumentParser:
    """The command line; without ``with_commands``, only the app's own options (see ``main``)."""
    parser = _Parser(
        prog="chosho",
        description="調書（監査アンケート）の入力・点検・集計。既定では内蔵の調書定義"
        "（新座市 令和６年度「ソーシャルメディアの利活用に関する調書」）を使います。",
    )
    parser.add_argument(
        "--db",
        metavar="ファイル",
        help="データベースファイル。省略時は環境変数 CHOSHO_DB、それもなければ現在のフォルダの chosho.sqlite"
        "（なければ作成し、内蔵の調書と所属一覧を登録します）",
    )
    parser.add_argument(
        "--user", metavar="名前",
        help="作業者名。省略時は OS のログイン名。アカウントのあるデータベースでは使いません（名前とパスワードで確かめます）",
    )
    parser.set_defaults(handler=cmd_app)
    if not with_commands:
        return parser
    commands = parser.add_subparsers(dest="command", title="コマンド", metavar="コマンド", parser_class=_Parser)

    check = commands.add_parser(
        "check", help="調書定義ファイルを点検し、誤りをすべて（XLSForm のブックならシート・行・列つきで）表示します"
    )
    check.set_defaults(handler=cmd_check)
    check.add_argument(
        "definition", nargs="?", type=Path, metavar="定義ファイル",
        help="調書定義ファイル（XLSForm の .xlsx か TOML）。省略時は内蔵の定義",
    )

    # chosho new: a new survey's database from an XLSForm workbook (or TOML), checked first.
    new = commands.add_parser(
        "new",
        help="調書定義（XLSForm の .xlsx か TOML）から新しい調査のデータベースを作ります（--db のファイル）",
        description="調書定義を点検し、誤りがあればすべて表示して何も作りません。"
        "--db のファイルがすでにあれば上書きせずに止めます。例: chosho --db 令和7年度.sqlite new 調書.xlsx",
    )
    new.add_argument("form", type=Path, metavar="調書定義", help="XLSForm のブック（.xlsx）か TOML ファイル")
    new.set_defaults(handler=cmd_new)

    # chosho definition -o: the database's questionnaire as an XLSForm workbook.
    definition = commands.add_parser(
        "definition",
        help="データベースの調書定義を XLSForm のブック（.xlsx）に書き出します（翌年度の調書の下書きに）",
    )
    definition.add_argument("-o", "--output", type=Path, required=True, metavar="ファイル", help="出力先（.xlsx）")
    definition.add_argument("--force", action="store_true", help="出力先がすでにあれば上書きします")
    definition.set_defaults(handler=cmd_definition)

    show = commands.add_parser("show", help="調書の設問・選択肢・分岐を一覧表示します")
    show.add_argument("--definition", type=Path, metavar="定義ファイル", help="調書定義ファイル（XLSForm の .xlsx か TOML）。省略時は内蔵の定義")
    show.set_defaults(handler=cmd_show)

    route = commands.add_parser(
        "route",
        help="回答を与えて、経路（回答する設問）と点検結果を表示します",
        description="設問番号（chosho show で確かめられます）=回答 を並べます。表形式・人数は行の順にカンマ区切り。"
        "無回答・無効・非該当も書けます。設問番号=無回答@1 は無回答のまま経路を 1 と仮定します",
    )
    route.add_argument("answers", nargs="*", metavar="設問=回答", help="単一回答は 番号、複数回答は 1,5、表形式は 5,5,5,1、人数は 10,3,2 のように")
    route.add_argument("--definition", type=Path, metavar="定義ファイル", help="調書定義ファイル（TOML）。省略時は内蔵の定義")
    route.set_defaults(handler=cmd_route)

    backup = commands.add_parser(
        "backup", help="データベースを安全にバックアップします（SQLite のオンラインバックアップ）"
    )
    backup.add_argument("target", type=Path, metavar="保存先", help="バックアップの保存先ファイル")
    backup.add_argument(
        "--overwrite", action="store_true", help="保存先のファイルがすでにあれば上書きします（指定しなければ上書きしません）"
    )
    backup.set_defaults(handler=cmd_backup)

    verify = commands.add_parser(
        "verify",
        help="データベースを点検します（整合性・形式・監査ログの保護と連鎖・再生した内容との比較）。問題がなければ終了コード 0",
        description="何も変更せずに点検します: SQLite の整合性検査、表と索引の定義、監査ログのトリガー、"
        "監査ログのハッシュの連鎖（最初に一致しない記録を示します）、監査ログを最初から再生した内容と"
        "回答・状態・確認者・疑義・原本・照合入力・作業者・アカウントの表との比較（違う所属と問いを両方の値で示します）、"
        "調書定義と原本の SHA-256、封印（--head / --seals）。封印がなければ、最新の記録の削除は分からないと明記します。"
        "詳しくは docs/audit-log.md。",
    )
    verify.add_argument(
        "--head", metavar="封印", nargs="+", action="extend", default=[],
        help="書き留めた封印（件数:ハッシュ12桁、例 1234:3fa2b4c5d6e7）。確認・確定の後に表示されたものや、"
        "報告書（入力状況シート）・chosho backup が示したもの。いくつでも指定でき、それぞれが今も連鎖の中にあるかを確かめます",
    )
    verify.add_argument(
        "--seals", metavar="ファイル", type=Path, action="append", default=[],
        help="封印を書き並べたファイル（1 行に 1 つ以上、# 以降は注記）",
    )
    verify.set_defaults(handler=cmd_verify)

    export = commands.add_parser(
        "export",
        help="集計用の Excel ブック（集計・部局別・自由記述・回答一覧など）を出力します",
        description="既定では入力中・入力済・確認済・確定の所属を集計し、入力済でない所属を警告します。",
    )
    export.add_argument(
        "-o", "--output", type=Path, metavar="ファイル",
        help="出力先（.xlsx）。省略時は現在のフォルダに「調書名_集計_日時.xlsx」",
    )
    export.add_argument("--confirmed-only", action="store_true", help="確認済・確定の所属だけを集計します")
    export.add_argument(
        "--order", choices=("code", "frequency"), default="code",
        help="集計シートの選択肢の並び: code＝調書の番号順（既定）、frequency＝所属数の多い順（報告書の並べ方）",
    )
    export.add_argument(
        "--data", type=Path, metavar="フォルダ",
        help="分析用データ（Stata .dta、UTF-8 BOM 付き CSV、コードブック）をフォルダに出力します。"
        "-o も指定すると Excel ブックも出力します",
    )
    export.set_defaults(handler=cmd_export)

    report = commands.add_parser(
        "report",
        help="報告書の結果の章の下書き（設問ごとの文章と集計表。Word .docx または Markdown .md）を出力します",
        description="数値は Excel ブックの「集計」シートと同じ計算から取ります。文言は調書定義の横の文言ファイル"
        "（なければ既定の文言）から作ります。既定では入力中・入力済・確認済・確定の所属を集計します。",
    )
    report.add_argument(
        "-o", "--output", type=Path, metavar="ファイル",
        help="出力先（.docx なら Word、それ以外は Markdown）。省略時は現在のフォルダに「調書名_報告書下書き_日時.docx」",
    )
    report.add_argument("--confirmed-only", action="store_true", help="確認済・確定の所属だけを集計します")
    report.add_argument("--phrases", type=Path, metavar="ファイル", help="事務局の文言ファイル（TOML）。書いた項目だけを置き換えます")
    report.add_argument("--half-width", action="store_true", help="数字を半角で書きます（既定は全角: ６０％）")
    report.add_argument("--counts", action="store_true", help="単一回答の割合にも所属数を（　）で添えます")
    report.set_defaults(handler=cmd_report)

    import_ = commands.add_parser(
        "import",
        help="返送された調書の様式、または回答一覧の形（xlsx か CSV）の回答を取り込みます（ファイルごとに、すべてか何もしないか）",
        description="各行を入力画面と同じく点検し、一つでも取り込めない箇所があれば何も取り込みません。"
        "すでに回答のある所属には取り込みません（上書きしません。置き換えるには --replace）。"
        "ファイルごとに一つの取引として保存し、終わったファイルから結果を表示します。",
    )
    import_.add_argument(
        "files", type=Path, nargs="+", metavar="ファイル",
        help="返送された調書の様式（chosho forms）、回答一覧（chosho export のブック、または CSV）、またはそれらのフォルダ。ファイルごとに取り込みます",
    )
    import_.add_argument("--check", action="store_true", help="取り込まずに点検だけします")
    import_.add_argument(
        "--replace", action="store_true",
        help="訂正された回答（返送し直された様式など）で、すでに回答のある所属の回答を置き換えます。"
        "変わった回答は元の値とともに監査ログに残ります。確認済・確定の所属は置き換えません",
    )
    import_.set_defaults(handler=cmd_import)

    forms = commands.add_parser(
        "forms",
        help="各所属に送る調書の様式（入力できる Excel ブック）を所属ごとに出力します",
        description="回答欄だけが入力でき（シート保護、パスワードなし）、各回答欄に回答一覧の変数名の名前が付きます。",
    )
    forms.add_argument("-o", "--output", type=Path, required=True, metavar="フォルダ", help="出力先のフォルダ")
    forms.add_argument("--department", metavar="所属名", help="この所属の様式だけを出力します（同名が複数なら「部局 所属」）")
    forms.add_argument("--blank", action="store_true", help="所属名の入っていない白紙の様式を一つ出力します")
    forms.set_defaults(handler=cmd_forms)

    attach = commands.add_parser(
        "attach", help="返送された原本（xlsx、PDF、スキャン画像）を所属の原本として保存します"
    )
    attach.add_argument("department", metavar="所属名", help="所属名（同名が複数なら「部局 所属」）")
    attach.add_argument("file", type=Path, metavar="ファイル", help="原本のファイル")
    attach.set_defaults(handler=cmd_attach)

    from tui.users_command import add_parser as add_users_parser

    add_users_parser(commands, _Parser).set_defaults(handler=cmd_users)

    from tui.serve.command import add_parser as add_serve

    add_serve(commands)
    return parser


def _pad(text: str, cells: int) -> str:
    """Pad to a width in terminal cells: full-width characters take two."""
    width = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, cells - width)


def _load(path: Path | None) -> Questionnaire:
    """A definition file: an XLSForm workbook (.xlsx) or TOML; the built-in one when None."""
    if path is not None:
        from exports.xlsform import read_definition  # refuses a folder or a FIFO before reading

        return read_definition(path)[0]
    from survey import load_definition

    return load_definition(BUILTIN_DEFINITION)


def cmd_check(args: argparse.Namespace) -> int:
    questionnaire = _load(args.definition)
    source = args.definition or BUILTIN_DEFINITION
    by_type: dict[str, int] = {}
    for q in questionnaire.questions:
        by_type[q.type.label] = by_type.get(q.type.label, 0) + 1
    kinds = "、".join(f"{k} {v}" for k, v in by_type.items())
    print(f"調書定義 {source} に誤りはありません。")
    print(f"  {questionnaire.title}")
    print(f"  設問 {len(questionnaire.questions)} 問（{kinds}）")
    print(f"  分岐 {len(questionnaire.skips)} 件、点検 {len(questionnaire.checks)} 件")
    print(f"  対象所属 {len(questionnaire.departments)}（{len(questionnaire.roster)} 部局）")
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    from exports.definition_commands import run_new

    return run_new(args)


def cmd_definition(args: argparse.Namespace) -> int:
    from exports.definition_commands import run_definition

    return run_definition(args, _open)


def cmd_show(args: argparse.Namespace) -> int:
    questionnaire = _load(args.definition)
    print(questionnaire.title)
    previous_section = None
    for question in questionnaire.questions:
        section = questionnaire.section(question.section)
        if section and question.section != previous_section:  # the heading opens its block once
            print(f"\n{section.title}")
        previous_section = question.section
        optional = "・任意" if not question.required else ""
        print(f"\n{question.label}（{question.type.label}{optional}）{question.text}")
        for row in question.rows:
            print(f"    行 {row.id}: {row.label}")
        for option in question.options:
            box = question.text_box(option.code)
            extra = f"　［記入欄: {box.prompt}］" if box else ""
            print(f"    {option.code} {option.label}{extra}")
        for item in question.items:
            ceiling = f"（{question.item(item.at_most).label}以下）" if item.at_most else ""
            print(f"    {item.label}［{item.unit}］{ceiling}")
        if question.type.value == "number":
            print(f"    {number_line(question)}")
        if question.type.value == "repeat":
            for line in repeat_lines(question):
                print(f"    {line}")
        for note in question.notes:
            print(f"    {note}")
        for skip in questionnaire.skips_at(question.id):
            judged = "（所属の判断による非該当あり）" if skip.respondent_judgement else ""
            print(f"    {skip.note or '分岐'}　→ {skip.to}　条件: {skip.when_text}{judged}")
    return 0


def repeat_lines(question) -> list[str]:
    """A repeat as ``show`` prints it: how many rows, then each field (its column) and its rule."""
    from survey.model import MAX_ROWS

    count = question.repeat_count
    rows = (f"行数 {count}" if isinstance(count, int) else f"行数は {count} の回答" if count else "行数は記入のとおり")
    lines = [f"［{rows}（{MAX_ROWS} 行まで）］"]
    for field in question.fields:
        extra = "・任意" if not field.required else ""
        lines.append(f"列 {field.id}（{field.type.label}{extra}）{field.text}")
        if field.type.value == "number":
            ceiling = f"（{question.field(field.at_most).text}以下）" if field.at_most else ""
            lines.append(f"    {number_line(field)}{ceiling}")
        lines += [f"    {option.code} {option.label}" for option in field.options]
        if field.relevant_text:
            lines.append(f"    この行で記入する条件: {field.relevant_text}")
    return lines


def number_line(question) -> str:
    """A number question's kind, unit and bounds as ``show`` prints them."""
    from survey.numbers import grouped

    parts = ["小数可" if question.decimal else "整数"]
    if question.unit:
        parts.append(f"単位 {question.unit}")
    low = f"{grouped(question.minimum)}" if question.minimum is not None else ""
    high = f"{grouped(question.maximum)}" if question.maximum is not None else ""
    if low or high:
        parts.append(f"範囲 {low}～{high}")
    return "［" + "　".join(parts) + "］"


def parse_answer_arg(questionnaire: Questionnaire, text: str) -> tuple[str, Value]:
    from survey import Blank, Grid, Invalid, NotApplicable, QuestionType, Single
    from survey.answers import Counts, normalize_digits, parse_cell, parse_code, parse_codes, parse_count, parse_text

    qid, sep, raw = text.partition("=")
    qid = qid.strip()
    # q1 for Q1: the question whose id it is, letter case aside.
    qid = next((i for i in questionnaire.ids if i.lower() == qid.lower()), qid) if qid not in questionnaire else qid
    if not sep or qid not in questionnaire:
        raise InputError(f"「{text}」: 設問=回答 の形で、存在する設問番号を書いてください。")
    question = questionnaire.question(qid)
    raw, _, route_as = raw.partition("@")
    words = _empty_words()
    empty = words.get(raw.strip().lower())
    if empty is not None:
        if not route_as or empty is NotApplicable:
            return qid, empty()
        try:
            route_code = parse_code(question, route_as) if question.codes else None
        except InputError:
            route_code = None
        if not isinstance(route_code, Single):
            raise InputError(f"「@{route_as}」: 経路の番号を一つ書いてください（例: {qid}=無回答@1）。")
        return qid, empty(route_as=route_code.code)
    if question.type is QuestionType.SINGLE:
        return qid, parse_code(question, raw)
    if question.type is QuestionType.MULTI:
        return qid, parse_codes(question, raw)
    if question.type is QuestionType.TEXT:
        return qid, parse_text(raw)
    if question.type is QuestionType.NUMBER:  # 契約額=1,234,567 as entry reads it
        from survey.answers import parse_amount

        return qid, parse_amount(question, raw)
    if question.type is QuestionType.DATE:  # 契約日=R6.4.1
        from survey.answers import parse_day

        return qid, parse_day(raw)
    if question.type is QuestionType.REPEAT:
        raise InputError(f"{qid} は行の表（繰り返し）です。行の表は経路を決めないため、ここでは指定できません。")
    parts = re.split(r"[,、]", normalize_digits(raw))  # "５，５" typed through an IME too
    if question.type is QuestionType.MATRIX:
        if len(parts) != len(question.rows):
            raise InputError(f"{qid} は {len(question.rows)} 行です。行の順にカンマ区切りで書いてください。")
        cells = {}
        for row, part in zip(question.rows, parts):
            word = words.get(part.strip().lower())
            cells[row.id] = word() if word in (Blank, Invalid) else parse_cell(question, part)
        return qid, Grid(cells)
    if len(parts) != len(question.items):
        raise InputError(f"{qid} は {len(question.items)} 項目です。項目の順にカンマ区切りで書いてください。")
    return qid, Counts({item.id: parse_count(part) for item, part in zip(question.items, parts)})


def cmd_route(args: argparse.Namespace) -> int:
    from survey import Router, check_form
    from survey.answers import describe

    questionnaire = _load(args.definition)
    answers = dict(parse_answer_arg(questionnaire, text) for text in args.answers)
    route = Router(questionnaire).route(answers)
    print("経路（〇 回答する　△ 未確定　－ 非該当）")
    for question in questionnaire.questions:
        mark = _STATUS_MARKS[route.status(question.id)]
        shown = describe(question, answers.get(question.id)) if question.id in answers else ""
        print(f"  {mark} {_pad(question.label, 7)} {shown}".rstrip())
    for qid in route.awaiting_choice:
        print(f"{questionnaire.question(qid).label}が無回答です。経路を選ぶには {qid}=無回答@番号 と書いてください。")
    problems = [p for p in check_form(questionnaire, answers, route) if p.kind != "not-entered"]
    if problems:
        print("点検")
        for problem in problems:
            print(f"  {problem}")
    return 1 if any(p.severity.value == "error" for p in problems) else 0


def _open(args: argparse.Namespace, *, defer_definition: bool = False, host: bool = True):
    """The store named by --db / $CHOSHO_DB / ./chosho.sqlite, warnings printed.

    ``host``: a command run in the host's own shell (import, attach, users, backup …). Once the
    database has accounts it acts as the host's administrator — whoever holds the file — and is
    stamped with the OS login, not with a name typed after --user (which is then ignored, said
    on stderr). The app itself (``host=False``) asks for a password instead (tui/app.py run)."""
    from db import database_path, open_store

    store = open_store(database_path(args.db), args.user, defer_definition=defer_definition)
    for warning in store.warnings:
        print(f"注意: {warning}", file=sys.stderr)
    if store.backup_made:
        print(f"データベースの形式を更新しました。更新前の控え: {store.backup_made}", file=sys.stderr)
    if host:
        from db.accounts import has_accounts

        if has_accounts(store):
            from db.who import os_login

            store.who = os_login()
            if args.user:
                print(
                    f"注意: このデータベースにはアカウントがあるため、--user（{args.user}）は使いません。"
                    f"ホストで実行するコマンドは OS のログイン名「{store.who}」で監査ログに記録します。",
                    file=sys.stderr,
                )
    return store


def cmd_app(args: argparse.Namespace) -> int:
    import gc

    # Importing Textual and building the first screen make some hundred thousand objects that
    # live as long as the app; the collector's passes over them meanwhile find next to nothing
    # and cost about 15 ms of the start. Paused until the first screen is drawn, then one pass
    # and the survivors frozen (ChoshoApp._after_first_frame).
    gc.disable()
    try:
        from tui.app import run

        return run(args)
    finally:
        gc.enable()


def cmd_backup(args: argparse.Namespace) -> int:
    from db import database_path

    target = Path(args.target)
    database = database_path(args.db)
    own = [database] + [database.with_name(database.name + s) for s in ("-wal", "-shm", "-journal")]
    try:
        taken = (target.exists() or target.is_symlink()) and not target.is_dir()
        taken = taken and all(target.resolve() != p.resolve() for p in own)  # the database itself: said below
    except OSError:  # a name the system cannot hold: the backup itself says so
        taken = False
    if taken and not args.overwrite:
        print(
            f"chosho: バックアップ先「{target}」はすでにあります。上書きしませんでした。"
            "別のファイル名を指定するか、上書きしてよければ --overwrite を付けてください。",
            file=sys.stderr,
        )
        return 3
    with _open(args) as store:
        target = store.backup(args.target)
        seal = store.last_seal
    print(f"バックアップしました: {target}")
    print(f"監査ログの封印: {seal}（この時点の記録の末尾。書き留めておくと、chosho verify --head {seal} で"
          "以後に記録が削除・作り直しされていないかを確かめられます）")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    """Exit 0 when every check passes, 1 when one fails (3 when the file cannot be read at all)."""
    from db import database_path
    from db.verify import verify_database

    result = verify_database(database_path(args.db), args.head, seal_files=args.seals)
    print(result.report(), file=sys.stdout if result.ok else sys.stderr)
    return 0 if result.ok else 1


def cmd_export(args: argparse.Namespace) -> int:
    from exports.commands import run_export

    return run_export(args, _open)


def cmd_report(args: argparse.Namespace) -> int:
    from exports.report_command import run_report

    return run_report(args, _open)


def cmd_import(args: argparse.Namespace) -> int:
    from exports.form_commands import run_import_files

    return run_import_files(args, _open)


def cmd_forms(args: argparse.Namespace) -> int:
    from exports.form_commands import run_forms

    return run_forms(args, _open)


def cmd_attach(args: argparse.Namespace) -> int:
    from exports.form_commands import run_attach

    return run_attach(args, _open)


def cmd_users(args: argparse.Namespace) -> int:
    from tui.users_command import run_users

    return run_users(args, _open)


def _app_start(argv: Sequence[str]) -> bool:
    """True when ``argv`` only names the database and the worker, as the app's start does:
    the ten commands' parsers (a few milliseconds of the start) are then not built."""
    rest = list(argv)
    while rest:
        token = rest.pop(0)
        if token in ("--db", "--user") and rest:
            rest.pop(0)
        elif not token.startswith(("--db=", "--user=")):
            return False
    return True


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(with_commands=not _app_start(argv))
    args = parser.parse_args(argv)
    from db.errors import StoreError  # light: no SQLite or sqlite-utils import

    try:
        return args.handler(args)
    except StoreError as exc:
        print(f"chosho: {exc}", file=sys.stderr)
        return 3
    except DefinitionError as exc:
        print(exc, file=sys.stderr)
        return 1
    except InputError as exc:
        print(f"入力の誤り: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. piped into head: not an error for the user
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
