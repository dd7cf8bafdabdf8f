"""chosho's screens; each declares the keys it owns.

The first screens (who is entering, the department list) are styled by ``tui/app.tcss`` alone;
every other screen names ``FORMS_CSS`` as its ``CSS_PATH``, so that Textual reads those rules
when the first of them opens rather than before the first frame.
"""

from pathlib import Path

FORMS_CSS = Path(__file__).with_name("forms.tcss")
