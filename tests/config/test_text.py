"""required_text: what every service checks in a rationale or note before storing it."""

import re

import pytest
from django.core.exceptions import ValidationError

from config.text import NON_BLANK_PATTERN, required_text


def test_surrounding_whitespace_is_dropped():
    assert required_text("  Second pair of eyes.\n", field="rationale", message="Say why.") == "Second pair of eyes."


@pytest.mark.parametrize("value", [None, "", "   \n"])
def test_nothing_written_is_the_given_message(value):
    with pytest.raises(ValidationError) as caught:
        required_text(value, field="rationale", message="Say why.")
    assert caught.value.message_dict == {"rationale": ["Say why."]}


def test_a_nul_character_is_refused_before_it_reaches_postgresql():
    with pytest.raises(ValidationError) as caught:
        required_text("Looks\x00fine", field="rationale", message="Say why.")
    assert caught.value.message_dict == {"rationale": ["Null characters are not allowed."]}


def test_the_non_blank_pattern_finds_exactly_what_str_strip_keeps():
    # The schema's "not blank" must agree with the server, which trims with str.strip().
    pattern = re.compile(NON_BLANK_PATTERN)
    disagreements = [hex(c) for c in range(0x110000) if bool(pattern.search(chr(c))) != bool(chr(c).strip())]
    assert disagreements == []
