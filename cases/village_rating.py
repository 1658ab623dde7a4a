"""The case list's filter by the rating of a case's village (红/黄/绿, DESIGN.md §15).

The ratings live in `assessment` (assessment/risk_models.py), above `cases` in the layers
contract, so `cases` never imports them: assessment registers the reader in its
AppConfig.ready(), the way mediation registers its record rules (cases/records.py). The rating
is the one in force (an override, else the computed one) of the current month, the month the
rating list and the dashboards' panel show by default; a village not rated yet matches none.
"""

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet

RATINGS = [("red", "红"), ("yellow", "黄"), ("green", "绿")]
RATING_VALUES = [value for value, _label in RATINGS]

# (rating) -> a values queryset of the ids of the villages rated so this month.
_villages_rated: Callable | None = None


def register(villages_rated: Callable) -> None:
    """Install the reader of the ratings (assessment's AppConfig.ready())."""
    global _villages_rated
    _villages_rated = villages_rated


def filter_village_rating(queryset: QuerySet, rating: str) -> QuerySet:
    """The cases of `queryset` whose village is rated `rating` this month (one subquery)."""
    if _villages_rated is None:
        raise ImproperlyConfigured("The village ratings are not registered: add assessment.")
    return queryset.filter(village_id__in=_villages_rated(rating))
