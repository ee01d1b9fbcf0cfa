"""Assertions shared by the exercise-check tests (tests/test_exercises_chapter*.py)."""


def assert_fails_with_hints(report, hint_words=None):
    """The check ran (not "not attempted"), failed, gave a hint with every failure, and — when ``hint_words`` is
    given — one of the failures mentions it."""
    assert report.attempted and not report.passed
    assert report.failures() and all("hint:" in m for m in report.failures()), report.failures()
    if hint_words:
        assert any(hint_words in m for m in report.failures()), report.failures()
