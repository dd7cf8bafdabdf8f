"""chosho's user interface: the Textual app and the ``chosho`` command line.

The app (``app.py``) walks a clerk from "who is entering" through the department list to the
entry screens generated from the questionnaire, and a reviewer through review, sign-off, double
entry and adjudication (``screens/``, with the widgets they share in ``widgets/``). The command
line (``cli.py``, its Japanese argparse in ``cli_parser.py``) starts the app and runs the other
commands: check, show, route, export, import, forms, attach, backup, verify, and the accounts
of ``users_command.py``.
"""
