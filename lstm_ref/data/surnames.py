"""Surnames labelled with the language they come from, read from Faker's per-locale lists.

Faker (MIT licence) ships, for each locale, the surnames its fake people are
given: ``faker.providers.person.<locale>.Provider.last_names``. They are real
surnames, common in that country, so "which locale is this surname from?" is
a small, honest text-classification problem. A name that several locales
list (``Adam`` is Slovak, Austrian and Estonian) has no single right answer,
so it is removed from every locale.

Only the provider modules are imported (no ``Faker()`` instance is made).
"""

from __future__ import annotations

import importlib
from collections import Counter
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from lstm_ref.checks import check_type
from lstm_ref.optional import require

#: Twelve Latin-script locales, one per language; pl_PL has the most names by far.
SURNAME_LOCALES: tuple[str, ...] = (
    "pl_PL",
    "sk_SK",
    "it_IT",
    "es_ES",
    "nl_NL",
    "hr_HR",
    "de_AT",
    "en_US",
    "sv_SE",
    "et_EE",
    "fi_FI",
    "fr_FR",
)

# Where a provider keeps its surnames: most in ``last_names``; pl_PL's
# ``last_names`` is a placeholder and its names are in the other two.
_SURNAME_ATTRIBUTES = ("last_names", "unisex_last_names", "male_last_names")


class Surnames(NamedTuple):
    """Labelled surnames: unpack as ``names, labels, classes = surnames``.

    Attributes
    ----------
    names : list of str, length N
        The surnames, grouped by class and sorted within each class.
    labels : np.ndarray, int64, shape (N,)
        ``labels[k]`` is the index into ``classes`` of ``names[k]``'s locale.
    classes : tuple of str, length C
        The locales, in the order they were asked for.
    """

    names: list[str]
    labels: np.ndarray
    classes: tuple[str, ...]


def locale_surnames(locale: str) -> frozenset[str]:
    """Every surname Faker lists for ``locale`` (e.g. ``"it_IT"``), duplicates removed.

    Raises
    ------
    ValueError
        If Faker has no person provider for ``locale``, or it lists no surnames.
    """
    check_type("locale", locale, str)
    require("faker.providers.person", pip_name="Faker", needed_for="load_surnames()")
    try:
        module = importlib.import_module(f"faker.providers.person.{locale}")
    except ModuleNotFoundError:
        raise ValueError(
            f"locale: Faker has no person provider for {locale!r} (expected e.g. 'it_IT')"
        ) from None
    provider = module.Provider
    names: set[str] = set()
    for attribute in _SURNAME_ATTRIBUTES:
        # vars(): only the locale's own lists, not the ones it inherits from the English base.
        names.update(vars(provider).get(attribute, ()))  # tuples, or weight dicts keyed by name
    if not names:
        raise ValueError(f"locale: Faker's {locale!r} provider lists no surnames")
    return frozenset(names)


def load_surnames(locales: Sequence[str] = SURNAME_LOCALES) -> Surnames:
    """Surnames of several Faker locales, each labelled with its locale.

    A surname that more than one of ``locales`` lists is dropped from all of
    them, so every name has exactly one correct class.

    Parameters
    ----------
    locales : sequence of str
        At least two distinct Faker locales, e.g. ``("it_IT", "es_ES")``.

    Returns
    -------
    Surnames
        ``(names, labels, classes)`` with ``classes == tuple(locales)``.

    Examples
    --------
    >>> names, labels, classes = load_surnames(("it_IT", "fi_FI"))
    >>> classes, len(names) == len(labels)
    (('it_IT', 'fi_FI'), True)
    """
    if isinstance(locales, str) or not isinstance(locales, Sequence):
        raise TypeError(
            f"locales: expected a sequence of locale names, got {type(locales).__name__}"
        )
    classes = tuple(locales)
    if len(set(classes)) != len(classes) or len(classes) < 2:
        raise ValueError(f"locales: expected at least two distinct locales, got {classes!r}")
    per_locale = [locale_surnames(locale) for locale in classes]
    listed_by = Counter(name for names in per_locale for name in names)
    names: list[str] = []
    labels: list[int] = []
    for label, locale_names in enumerate(per_locale):
        unique = sorted(name for name in locale_names if listed_by[name] == 1)
        names.extend(unique)
        labels.extend([label] * len(unique))
    return Surnames(names, np.asarray(labels, dtype=np.int64), classes)
