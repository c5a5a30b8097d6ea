"""The app's HTML renderers, pure: the mastery chart for 0, 1 and many topics."""

import re

from coach.web.render import render_mastery


def _widths(html: str) -> list[int]:
    return [int(w) for w in re.findall(r"width:(\d+)%", html)]


def test_mastery_chart_reads_right_for_no_one_and_many_topics():
    assert "No practice yet" in render_mastery({})
    assert "No practice yet" in render_mastery({"a.md": {"cards": 3, "reviewed": 0, "mastery": 0.0}})
    one = render_mastery({"a.md › LoRA": {"cards": 4, "reviewed": 1, "mastery": 0.0}})
    assert _widths(one) == [0] and "0% · 1/4" in one  # a topic at 0 is an empty bar, not a full one
    many = render_mastery({
        "b.md": {"cards": 2, "reviewed": 2, "mastery": 0.9},
        "a.md": {"cards": 5, "reviewed": 1, "mastery": 0.25},
        "c.md": {"cards": 1, "reviewed": 0, "mastery": 0.0},  # never practised: not drawn
    })
    assert _widths(many) == [25, 90]  # sorted by topic, each bar its own length
    assert "<script" not in render_mastery({"<script>x</script>": {"cards": 1, "reviewed": 1, "mastery": 1.0}})
