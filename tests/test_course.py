"""The quick-build switch of the chapters (gammanet.course): its values, its old name, and bad values."""

import pytest

from gammanet.course import quick_from_env


@pytest.mark.parametrize(
    "value, quick",
    [
        ("1", True),
        ("true", True),
        ("YES", True),
        (" on ", True),
        ("0", False),
        ("false", False),
        ("no", False),
        ("", False),
    ],
)
def test_quick_switch_values(value, quick):
    assert quick_from_env({"GAMMANET_QUICK": value}) is quick


def test_unset_means_the_full_sizes():
    assert quick_from_env({}) is False


def test_a_bad_value_is_an_error_naming_it():
    with pytest.raises(ValueError, match=r"GAMMANET_QUICK='2'.*1 \(quick build.*0 \(full sizes\)"):
        quick_from_env({"GAMMANET_QUICK": "2"})


def test_the_old_name_is_read_with_a_warning_and_the_new_one_wins():
    with pytest.warns(FutureWarning, match="GAMMANET_FAST is the old name of GAMMANET_QUICK"):
        assert quick_from_env({"GAMMANET_FAST": "1"}) is True
    assert quick_from_env({"GAMMANET_FAST": "1", "GAMMANET_QUICK": "0"}) is False
