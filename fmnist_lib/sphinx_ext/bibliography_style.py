"""A Sphinx extension: the bibliography is labelled the way the text cites, "Anjum et al., 2025".

The text cites author-year (``bibtex_reference_style: author_year``), but pybtex's
formatting styles label the list with alpha keys ([AAK25]) or numbers, so a
reader cannot match a citation to its entry at a glance. This registers the
``plain`` style with author-year labels as ``author_year_plain``.
"""

from __future__ import annotations

from pybtex.plugin import register_plugin
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.labels import BaseLabelStyle

STYLE_NAME = "author_year_plain"


def author_year_label(entry) -> str:
    """ "Mukhamediev, 2024", "Xiao et al., 2017": first author's last name, et al. beyond two."""
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    names = [" ".join(p.last_names) for p in people]
    if not names:
        who = entry.fields.get("title", entry.key)
    elif len(names) == 1:
        who = names[0]
    elif len(names) == 2:
        who = f"{names[0]} and {names[1]}"
    else:
        who = f"{names[0]} et al."
    return f"{who}, {entry.fields.get('year', 'n.d.')}"


class AuthorYearLabels(BaseLabelStyle):
    def format_labels(self, sorted_entries):
        for entry in sorted_entries:
            yield author_year_label(entry)


class AuthorYearStyle(PlainStyle):
    default_label_style = AuthorYearLabels


def setup(app) -> dict:
    register_plugin("pybtex.style.formatting", STYLE_NAME, AuthorYearStyle)
    app.config.bibtex_default_style = STYLE_NAME
    return {"parallel_read_safe": True, "parallel_write_safe": True}
