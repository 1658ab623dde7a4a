"""Contrast of the coloured labels the stylesheet paints (badges, heat-table cells, buttons, the
unread counts): text against its background at least 4.5:1 (WCAG AA), read from static/css."""

import re
from pathlib import Path

import pytest
from django.conf import settings

CSS = re.sub(
    r"/\*.*?\*/",
    "",
    (Path(settings.BASE_DIR) / "static" / "css" / "app.css").read_text(),
    flags=re.S,
)
HEX = r"#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b"


def _full(hex_colour: str) -> str:
    if len(hex_colour) == 4:
        return "#" + "".join(c * 2 for c in hex_colour[1:])
    return hex_colour


VARS = {name: _full(value) for name, value in re.findall(rf"--([\w-]+):\s*({HEX})", CSS)}


def _colour(value: str) -> str:
    value = value.strip()
    match = re.fullmatch(r"var\(--([\w-]+)\)", value)
    return VARS[match.group(1)] if match else _full(value)


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _painted_rules():
    """(selector, text colour, background) of every rule that sets both."""
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", CSS):
        colour_value = rf"({HEX}|var\(--[\w-]+\))"
        background = re.search(rf"background:\s*{colour_value}\s*;", body)
        colour = re.search(rf"(?<![-\w])color:\s*{colour_value}\s*;", body)
        if background and colour:
            yield selector.strip(), _colour(colour.group(1)), _colour(background.group(1))


RULES = list(_painted_rules())


def test_the_stylesheet_paints_the_labels_the_test_checks():
    selectors = " ".join(s for s, _, _ in RULES)
    for wanted in (".badge.green", ".badge.red", ".badge.supervised", "heat-4", "heat-5", ".btn {"):
        assert wanted.rstrip(" {") in selectors, wanted


@pytest.mark.parametrize("selector, text, background", RULES, ids=[r[0][:40] for r in RULES])
def test_text_on_its_background_is_at_least_4_5_to_1(selector, text, background):
    assert contrast(text, background) >= 4.5, (selector, text, background)


def test_white_on_the_brand_blue_and_the_green_button():
    for background in (VARS["brand"], VARS["brand-dark"], VARS["ok"], VARS["bad"], "#2b6cb0"):
        assert contrast("#ffffff", background) >= 4.5, background


def test_grey_notes_on_the_overdue_next_step_panel():
    """The next-step panel of an overdue case is pink; its grey notes are darkened for it."""
    panel = re.search(r"\.next-step\.overdue \{[^}]*background:\s*(#\w+)", CSS).group(1)
    note = re.search(r"\.next-step\.overdue \.muted \{[^}]*color:\s*(#\w+)", CSS).group(1)
    assert contrast(note, _full(panel)) >= 4.5, (note, panel)
    assert contrast(VARS["muted"], _full(panel)) < 4.5  # why the override is needed
