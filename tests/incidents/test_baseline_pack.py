"""The baseline rule pack: a country's choice of alert method, read from a JSON file."""

from __future__ import annotations

import pytest

from services.incidents.config import BaselinePack, load_pack


def test_default_pack_alerts_with_noufaily():
    assert load_pack(None) == BaselinePack(alert_method="noufaily_2013")


def test_a_pack_file_chooses_the_method_and_legacy_names_resolve(tmp_path):
    path = tmp_path / "pack.json"
    path.write_text('{"alert_method": "stroup_1989"}')
    assert load_pack(str(path)).alert_method == "stroup_1989"
    path.write_text('{"alert_method": "ewma"}')
    assert load_pack(str(path)).alert_method == "ewma_restarted"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"alert_method": "cusum"}', "is not one of"),
        ('{"method": "stroup_1989"}', "only 'alert_method'"),
    ],
)
def test_a_wrong_pack_is_refused_naming_the_problem(tmp_path, text, message):
    path = tmp_path / "pack.json"
    path.write_text(text)
    with pytest.raises(ValueError, match=message):
        load_pack(str(path))
