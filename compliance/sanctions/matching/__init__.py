"""Name screening against parsed list entries.

- :func:`normalize_name` -- the normalization applied to listed names and queries
- :class:`Matcher` -- ``Matcher.build(entries)`` then ``matcher.screen(name, ...)``
- :class:`Hit` -- one explained hit; ``DEFAULT_THRESHOLD`` -- the measured default cut-off
"""

from .factors import compare_birth_date, compare_country
from .matcher import DEFAULT_THRESHOLD, Hit, Matcher
from .normalize import NormalizedName, normalize_name, skeleton

__all__ = [
    "DEFAULT_THRESHOLD",
    "Hit",
    "Matcher",
    "NormalizedName",
    "compare_birth_date",
    "compare_country",
    "normalize_name",
    "skeleton",
]
