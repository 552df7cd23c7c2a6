"""The Turkish Web Treebank: CoNLL-U parsing, the installed files, the split by document."""

from __future__ import annotations

import numpy as np
import pytest

from lstm_ref.data.treebank import (
    UPOS_TAGS,
    Sentence,
    load_treebank,
    parse_conllu,
    split_by_document,
    treebank_files,
)

_TEXT = """# sent_id = tr-blog:00000001:S001
# text = Ali geldi .
1\tAli\tali\tNOUN\tNNP\tCase=Bare|Proper=True\t2\tnsubj\t_\t_
2\tgeldi\tgel\tVERB\tVB\tProper=False\t0\troot\t_\t_
3\t.\t.\tPUNCT\t.\tProper=False\t2\tp\t_\t_

# sent_id = tr-blog:00000001:S002
1-2\tAlinin\t_\t_\t_\t_\t_\t_\t_\t_
1\tAli\tali\tNOUN\tNNP\tProper=True\t0\troot\t_\t_
"""


def test_parse_conllu_reads_words_tags_and_proper_nouns() -> None:
    sentences = parse_conllu(_TEXT.splitlines(keepends=True))
    assert len(sentences) == 2
    first = sentences[0]
    assert first.sent_id == "tr-blog:00000001:S001" and first.document == "tr-blog:00000001"
    assert first.words == ["Ali", "geldi", "."]
    assert first.tags == ["NOUN", "VERB", "PUNCT"]
    assert first.proper.tolist() == [True, False, False]
    assert sentences[1].words == ["Ali"]  # the multi-word range line is skipped


def test_a_line_with_the_wrong_number_of_columns_is_a_clear_error() -> None:
    bad = "# sent_id = x:1:S1\n1\tAli\tali\tNOUN\n"
    with pytest.raises(ValueError, match=r"mine, line 2: expected 10 tab-separated .* got 4"):
        parse_conllu(bad.splitlines(keepends=True), source="mine")


def test_the_installed_treebank() -> None:
    files = treebank_files()
    assert [f.name for f in files] == ["web.conllu", "wiki.conllu"]
    train, val, test = load_treebank()
    everything = train + val + test
    assert len(everything) == 4_851
    assert sum(len(s.words) for s in everything) == 81_370
    assert sum(int(s.proper.sum()) for s in everything) == 7_449
    assert {t for s in everything for t in s.tags} == set(UPOS_TAGS)
    docs = [{s.document for s in part} for part in (train, val, test)]
    assert not docs[0] & docs[2] and not docs[0] & docs[1] and not docs[1] & docs[2]
    assert 0.75 < len(train) / len(everything) < 0.85


def test_split_by_document_is_seeded() -> None:
    sentences = [
        Sentence(f"tr-x:{d:03d}:S{k}", ["a"], ["NOUN"], np.zeros(1, bool))
        for d in range(20)
        for k in range(3)
    ]
    a = split_by_document(sentences, val=0.2, test=0.2, seed=1)
    b = split_by_document(sentences, val=0.2, test=0.2, seed=1)
    assert [s.sent_id for s in a.test] == [s.sent_id for s in b.test]
    assert len(a.test) == len(a.val) == 12 and len(a.train) == 36
    with pytest.raises(ValueError, match="val, test: expected val \\+ test < 1"):
        load_treebank(val=0.6, test=0.5)


def test_a_missing_package_names_the_pip_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.metadata

    def not_installed(name: str) -> None:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "distribution", not_installed)
    with pytest.raises(ImportError, match=r"pip install turkish-treebanks==1\.0\.0"):
        treebank_files()
