"""CHANGELOG.md: Keep a Changelog's shape, and every rule named in the release that added it."""

from __future__ import annotations

import re
from pathlib import Path

from aml_lint.rules import all_rules

CHANGELOG = (Path(__file__).resolve().parents[2] / "CHANGELOG.md").read_text(encoding="utf-8")


def test_unreleased_comes_first_then_dated_releases_newest_first() -> None:
    headings = re.findall(r"^## \[([^\]]+)\](?: - (\d{4}-\d{2}-\d{2}))?$", CHANGELOG, re.M)
    assert headings[0] == ("Unreleased", "")
    released = headings[1:]
    assert released and all(date for _, date in released), released
    dates = [date for _, date in released]
    assert dates == sorted(dates, reverse=True)
    # Every heading has its link reference at the bottom.
    for name, _ in headings:
        assert re.search(rf"^\[{re.escape(name)}\]: https://\S+$", CHANGELOG, re.M), name


def test_every_rule_is_in_the_changelog() -> None:
    # A new rule goes under **Rules** of the release that adds it (docs/releasing.md).
    missing = [r.id for r in all_rules() if not re.search(rf"\b{r.id}\b", CHANGELOG)]
    assert missing == [], f"add these rules to CHANGELOG.md: {missing}"
    assert len(all_rules()) > 40
