"""The CLI table: wraps to the width, colour only when asked (a TTY), line numbers, the draft's sentence,
"no corpus given" first, and no control character from the draft or corpus reaches the terminal."""
from __future__ import annotations

import json

from app.render import render_report, render_table, strip_controls
from claims.models import Label
from e2e.fixtures import Spec, make_report

DRAFT = ("Head line here\n\nThe programme has cost about 60 billion yen since 2018, officials said on Tuesday "
         "in a long statement about the seabed.\nCabinet approval stood at 72% \x1b[2J\x1b]0;owned\x07 today.")


def test_table_wraps_numbers_lines_and_shows_the_sentence():
    rep = make_report(DRAFT, [Spec("60 billion yen", Label.supported, quote="about 60 billion yen \x1b[31mred"),
                              Spec("72%", Label.contradicted)])
    rep = rep.model_copy(update={"notes": ["no corpus given: only the officials roster can decide claims"]})
    text = render_table(rep, DRAFT, colour=False, width=60)
    lines = text.splitlines()
    assert lines[0].startswith("NOTE: no corpus given")
    assert all(len(line) <= 60 for line in lines if "  " not in line[:6]) or max(map(len, lines)) <= 90
    assert "line 3" in text and "line 4" in text
    assert "The programme has cost about 60 billion yen" in text
    assert "\x1b" not in text and "\x07" not in text  # the corpus's and draft's escapes are gone
    assert "NEEDS A HUMAN, leans SUPPORTED" in text  # fixtures default to suggestions


def test_colour_only_when_asked():
    rep = make_report(DRAFT, [Spec("72%", Label.contradicted)])
    assert "\x1b[" in render_table(rep, DRAFT, colour=True, width=80)
    assert "\x1b[" not in render_table(rep, DRAFT, colour=False, width=80)


def test_strip_controls_and_json_escapes_c1():
    assert strip_controls("a\x1b[2Jb\x1b]0;t\x07c\x9b31md\re\u202ef") == "abcd ef"
    assert strip_controls("keep\nnew\tlines") == "keep\nnew\tlines"
    rep = make_report("Head\n\nIt is 72%\x9b2J here.", [Spec("72%", Label.contradicted)])
    out = render_report(rep, "json")
    assert "\x9b" not in out and json.loads(out)["claims"][0]["text"] == "72%"
    assert "\x1b" not in render_report(rep, "markdown", draft="Head\n\nIt is 72%\x1b[2J here.")
