import sys

import pytest

from demo import textstats

TEXT = (
    "The cat sat on the mat. The cat was happy! "
    "Was the dog happy? The dog was asleep on the mat."
)


@pytest.fixture(scope="module")
def corpus():
    """Module-scoped: a larger text built once for this file's tests."""
    return " ".join([TEXT] * 2000)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Hello, world!", ["hello", "world"]),
        ("It's 42 o'clock", ["it's", "42", "o'clock"]),
        ("", []),
        ("  ...  ", []),
    ],
)
def test_tokenize(text, expected):
    assert textstats.tokenize(text) == expected


def test_tokenize_keeps_case_and_drops_stopwords():
    assert textstats.tokenize("The Cat and the Hat", lower=False, drop_stopwords=True) == ["Cat", "Hat"]


def test_top_words():
    assert textstats.top_words(TEXT, 3) == [("cat", 2), ("dog", 2), ("happy", 2)]


@pytest.mark.parametrize(
    "word, n",
    [("cat", 1), ("happy", 2), ("table", 2), ("asleep", 2), ("make", 1), ("''", 0), ("rhythm", 1)],
)
def test_count_syllables(word, n):
    assert textstats.count_syllables(word) == n


def test_sentences():
    assert textstats.sentences(TEXT) == [
        "The cat sat on the mat",
        "The cat was happy",
        "Was the dog happy",
        "The dog was asleep on the mat",
    ]


class TestReadability:
    def test_easy_text(self):
        score = textstats.flesch_reading_ease(TEXT)
        assert score > 90
        assert textstats.grade(score) == "very easy"

    def test_no_words(self):
        assert textstats.flesch_reading_ease("!!!") is None
        assert textstats.grade(None) == "n/a"

    @pytest.mark.parametrize("score, label", [(75, "easy"), (55, "fairly difficult"), (31, "difficult")])
    def test_grades(self, score, label):
        assert textstats.grade(score) == label

    def test_corpus_scores_like_its_sample(self, corpus):
        assert textstats.flesch_reading_ease(corpus) == textstats.flesch_reading_ease(TEXT)

    def test_corpus_top_words(self, corpus):
        # Allocates a few MiB of tokens: shows up in peak_kib.
        assert textstats.top_words(corpus, 1) == [("cat", 4000)]


@pytest.mark.skipif(sys.platform != "win32", reason="Windows line endings only matter on Windows")
def test_windows_line_endings():
    assert textstats.sentences("One.\r\nTwo.") == ["One", "Two"]


@pytest.mark.skip(reason="syllable counting for non-English text is not supported")
def test_non_english():
    assert textstats.count_syllables("über") == 2
