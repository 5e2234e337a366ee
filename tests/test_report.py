"""What a reader meets first: numbered, captioned tables and the front page's bottom line."""

import pandas as pd
import pytest

from fmnist_lib.audit import claim_rules
from fmnist_lib.audit import bottom_line
from fmnist_lib.audit import claims
from fmnist_lib.audit import mechanisms
from fmnist_lib.report import tables


def test_a_report_table_is_a_numbered_myst_table_with_its_caption_and_name():
    frame = pd.DataFrame({"model": ["MLP | raw", "SVM*"], "ours": ["88.38% [87.7%, 89.0%]", "–"], "n": [10_000, 2]})
    text = tables.show(frame, "Test accuracy (%).", "tbl-demo")._repr_markdown_()
    lines = text.splitlines()
    assert lines[0] == "```{table} Test accuracy (%)." and lines[1] == ":name: tbl-demo" and lines[-1] == "```"
    assert "| model | ours | n |" in lines and "|:---|---:|---:|" in lines  # numbers (and "–") align right
    assert "| MLP \\| raw | 88.38% [87.7%, 89.0%] | 10,000 |" in lines  # a pipe in a cell stays in its cell
    assert "| SVM\\* | – | 2 |" in lines  # no stray emphasis


def test_a_folded_table_sits_in_a_dropdown_and_names_must_read_as_tables():
    folded = tables.show(pd.DataFrame({"a": [1]}), "Provenance.", "tbl-p", folded=True)._repr_markdown_()
    assert folded.startswith("````{dropdown} Provenance.\n```{table}") and folded.endswith("```\n````")
    with pytest.raises(ValueError, match="start with 'tbl-'"):
        tables.show(pd.DataFrame({"a": [1]}), "x", "fig-a")


def test_the_report_table_shows_html_in_jupyter_and_a_short_line_in_a_terminal():
    table = tables.show(pd.DataFrame({"a": [0.5]}), "A caption.", "tbl-a")
    assert "A caption." in table._repr_html_() and "<table" in table._repr_html_()
    assert repr(table) == "<table tbl-a: A caption. (1 rows)>"


def _claims_table(cnn62=0.9229, seeds=("[92.20%, 92.61%] over 4 seeds")):
    def row(claim, claimed, ours, verdict, seeds_text="–", note=""):
        return {
            "claim": claim,
            "group": claims.HEADLINE,
            "claimed": claimed,
            "ours": ours,
            "95 % interval (one run)": "[1%, 2%]",
            "95 % interval (seeds)": seeds_text,
            "verdict": verdict,
            "note": note,
        }

    return pd.DataFrame(
        [
            row("CNN-3-128 accuracy after 62 epochs", "99.67%", f"{cnn62:.2%}", claim_rules.NOT_REPRODUCED, seeds),
            row("light model accuracy", "98.98%", "87.30%", claim_rules.NOT_REPRODUCED),
            row("accuracy drop, baseline to light", "0.69 pp", "4.99 pp", claim_rules.REPRODUCED, note="seeds spread"),
        ]
    )


def test_the_headline_table_names_the_deciding_interval_and_the_closest_mechanism():
    reference = mechanisms.Curve("honest", "cnn_3_128", ((62, 0.9229, 10_000),), "s", reference=True)
    train = mechanisms.Curve("(a) training images", "cnn_3_128", ((62, 0.9931, 60_000),), "s")
    table = bottom_line.headline_claims(_claims_table(), [reference, train]).set_index("claim")
    assert (
        table.loc["CNN-3-128 accuracy after 62 epochs", "ours (95 % interval)"] == "92.29%; 4 seeds: [92.20%, 92.61%]"
    )
    assert table.loc["light model accuracy", "ours (95 % interval)"] == "87.30% [1%, 2%]"
    explains = table.loc["CNN-3-128 accuracy after 62 epochs", "what explains it"]
    assert explains.startswith("nothing of 1 tried; closest: (a) training images at 99.31%")
    assert table.loc["light model accuracy", "what explains it"] == "no mechanism measured on the paper's data"
    assert table.loc["accuracy drop, baseline to light", "what explains it"] == "the seeds spread widely"


def test_the_bottom_line_says_what_holds_what_fails_and_whether_anything_explains_it():
    reference = mechanisms.Curve("honest", "cnn_3_128", ((62, 0.9229, 10_000),), "s", reference=True)
    train = mechanisms.Curve("(a) training images", "cnn_3_128", ((62, 0.9931, 60_000),), "s")
    text = bottom_line.sentences(_claims_table(), [reference, train])
    assert text.startswith("Of the seed paper's 3 headline accuracy claims, this run reproduces 1: accuracy drop")
    assert "only because its seeds spread so widely" in text
    assert "CNN-3-128 reaches 92.29% where the paper claims 99.67%" in text
    assert "On this run 1 way of inflating accuracy could be judged at the paper's length, for 1 of the 4" in text
    assert "unexplained by anything we tried" not in text  # three of the four numbers had no mechanism measured
    everywhere = [
        mechanisms.Curve("(a) training images", "cnn_3_128", ((2, 0.95, 60_000), (62, 0.9931, 60_000)), "s"),
        mechanisms.Curve("(c) metric", "dsc_gap", tuple((e, 0.97, 10_000) for e in range(1, 33)), "s", per_epoch=True),
    ]
    full = bottom_line.sentences(_claims_table(), [reference, *everywhere])
    assert "None of the 2 ways of inflating accuracy" in full and "unexplained by anything we tried" in full
    explained = mechanisms.Curve("(x) leak", "cnn_3_128", ((62, 0.9968, 10_000),), "s")
    assert "match a mechanism that inflates accuracy (CNN-3-128: 99.67 % at 62 epochs: (x) leak)" in (
        bottom_line.sentences(_claims_table(), [reference, explained])
    )
    assert "No mechanism that could inflate the numbers was run" in bottom_line.sentences(_claims_table(), [reference])


def test_a_subsampled_run_is_not_said_to_follow_the_paper():
    table = _claims_table()
    table["verdict"] = claim_rules.NOT_COMPARABLE
    text = bottom_line.sentences(table, [])
    assert "Trained as the paper describes" not in text
    assert "On this profile's shortened protocol, which is not the paper's, CNN-3-128 reaches 92.29%" in text
    assert "cannot judge 3" in text


def test_the_claims_are_shown_per_group_with_the_verdict_before_the_detail():
    table = _claims_table()
    table.loc[len(table)] = {**table.iloc[0].to_dict(), "claim": "x parameters", "group": claims.ARITHMETIC,
                             "95 % interval (seeds)": "–", "95 % interval (one run)": "exact", "note": ""}  # fmt: skip
    table["where in the paper"] = "IV-B"
    parts = claim_rules.claims_by_group(table)
    assert list(parts) == list(claims.GROUPS)
    headline = parts[claims.HEADLINE]
    assert list(headline.columns[:5]) == ["claim", "where in the paper", "claimed", "ours", "verdict"]
    assert "group" not in headline.columns and len(headline) == 3
    arithmetic = parts[claims.ARITHMETIC]  # its empty interval and note columns are left out
    assert list(arithmetic.columns) == ["claim", "where in the paper", "claimed", "ours", "verdict"]
