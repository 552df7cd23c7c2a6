"""Surnames from Faker's per-locale lists, labelled by locale, shared names removed."""

from __future__ import annotations

import numpy as np
import pytest

from lstm_ref.data import SURNAME_LOCALES, load_surnames, locale_surnames


def test_locale_surnames_reads_the_provider_lists() -> None:
    italian = locale_surnames("it_IT")
    assert "Abate" in italian and len(italian) > 1000
    # pl_PL keeps its names outside `last_names`: both lists are read (unisex, male).
    polish = locale_surnames("pl_PL")
    assert {"Wandzel", "Chrzanowski"} <= polish and len(polish) > 3000


def test_weighted_lists_give_their_names() -> None:
    # sv_SE stores weights by name; the names are what we want, not the weights.
    swedish = locale_surnames("sv_SE")
    assert all(isinstance(name, str) for name in swedish) and "Östman" in swedish


def test_load_surnames_labels_and_removes_shared_names() -> None:
    names, labels, classes = load_surnames(("sk_SK", "de_AT", "et_EE"))
    assert classes == ("sk_SK", "de_AT", "et_EE")
    assert labels.dtype == np.int64 and labels.shape == (len(names),)
    assert len(set(names)) == len(names)
    # "Adam" is listed by all three locales: it has no single answer and is dropped.
    assert "Adam" in locale_surnames("sk_SK") and "Adam" in locale_surnames("de_AT")
    assert "Adam" not in names
    for label, locale in enumerate(classes):
        own = locale_surnames(locale)
        others = set().union(*(locale_surnames(o) for o in classes if o != locale))
        assert {n for n, k in zip(names, labels, strict=True) if k == label} == own - others


def test_default_locales() -> None:
    names, labels, classes = load_surnames()
    assert classes == SURNAME_LOCALES and len(classes) == 12
    counts = np.bincount(labels, minlength=len(classes))
    assert counts.argmax() == classes.index("pl_PL") and counts.min() > 300
    assert load_surnames().names == names  # deterministic order


def test_bad_locales() -> None:
    with pytest.raises(ValueError, match="locale: Faker has no person provider for 'xx_XX'"):
        load_surnames(("it_IT", "xx_XX"))
    with pytest.raises(ValueError, match="at least two distinct"):
        load_surnames(("it_IT", "it_IT"))
    with pytest.raises(TypeError, match="locales: expected a sequence"):
        load_surnames("it_IT")
    with pytest.raises(TypeError, match="locale: expected a str"):
        locale_surnames(3)  # type: ignore[arg-type]
