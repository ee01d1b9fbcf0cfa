"""Experiment configurations: validation before any work, the key, work units and shards (no training here)."""

import dataclasses

import pytest

from gammanet import presets
from gammanet.experiments import EXPERIMENTS, Block, Experiment, get_experiment, parse_shard, register, shard_units
from gammanet.experiments.catalog import load_experiment

IDENTITY = dict(source="embedded", n_train=200, n_test=100)


def tiny(**changes) -> Experiment:
    exp = Experiment(
        "tiny",
        "a test",
        "fast",
        (Block((12,), (0.5, 1.0), (0, 1, 2), 3), Block((8, 8), ((0.5, 1.0), (1.0, 1.0)), (0, 1), 2)),
        n_train=200,
        n_test=100,
        probe=4,
        members_per_unit=4,
    )
    return exp.replace(**changes)


# ------------------------------------------------------------------------------------------------ validation
@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(widths=(0,)), "N_1 = 0"),
        (dict(gamma_grid=(0.4,)), "0.4"),
        (dict(gamma_grid=((0.5, 0.5),)), "2 gammas"),  # length ≠ depth (1)
        (dict(gamma_grid=()), "gamma_grid=()"),
        (dict(gamma_grid=(0.5, 0.5)), "repeats"),
        (dict(seeds=()), "seeds=()"),
        (dict(seeds=(1, 2, 1)), "seed 1 appears twice"),
        (dict(seeds=(-1,)), "seed -1"),
        (dict(epochs=0), "epochs=0"),
    ],
)
def test_bad_block_raises_naming_the_value(kwargs, message):
    fields = dict(widths=(10,), gamma_grid=(0.5,), seeds=(0,), epochs=1)
    fields.update(kwargs)
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Block(**fields)


@pytest.mark.parametrize(
    "changes, message",
    [
        (dict(preset="fastest"), "unknown preset 'fastest'.*authors, default, fast"),
        (dict(name="bad name/x"), "bad name/x"),
        (dict(blocks=()), "blocks=()"),
        (dict(n_train=10), "n_train=10.*batch size 20"),
        (dict(n_train=0), "n_train=0"),
        (dict(probe=101), "probe=101.*n_test=100"),
        (dict(probe=-1), "probe=-1"),
        (dict(probe_epochs="some"), "probe_epochs='some'.*'ends', 'all'"),
        (dict(alpha=0.0), "alpha=0.0"),
        (dict(bias="no"), "bias='no'"),
        (dict(data_seed=-3), "data_seed=-3"),
        (dict(members_per_unit=0), "members_per_unit=0"),
    ],
)
def test_bad_experiment_raises_naming_the_value(changes, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        tiny(**changes)


@pytest.mark.parametrize(
    "shard, message", [("3/2", "'3/2'"), ("2", "'2'"), ("-1/4", "'-1/4'"), ("1/0", "'1/0'"), ((1, 1), "1/1")]
)
def test_bad_shard(shard, message):
    with pytest.raises(ValueError, match=message):
        parse_shard(shard)


def test_unknown_name_lists_the_known_ones():
    with pytest.raises(ValueError, match="unknown experiment 'nope'.*paper_mlp3_default"):
        get_experiment("nope")


def test_block_normalizes_its_input():
    b = Block([10, 5], [0.5, (1, 0.7), "mean_field"], [3, 4], 2)
    assert b.widths == (10, 5) and b.seeds == (3, 4)
    assert b.gamma_grid == ((0.5, 0.5), (1.0, 0.7), (1.0, 1.0))
    assert b.members()[:3] == [((0.5, 0.5), 3), ((0.5, 0.5), 4), ((1.0, 0.7), 3)]  # γ-major


# ------------------------------------------------------------------------------------------------------- key
def test_key_is_stable_and_ignores_name_and_description():
    k = tiny().key(IDENTITY)
    assert len(k) == 12 and int(k, 16) >= 0
    assert tiny().key(dict(IDENTITY)) == k
    assert tiny(name="other", description="changed").key(IDENTITY) == k
    assert Experiment.from_dict(tiny().to_dict()).key(IDENTITY) == k  # JSON round trip


@pytest.mark.parametrize(
    "changes",
    [
        dict(preset="default"),
        dict(alpha=3.0),
        dict(bias=False),
        dict(n_train=300),
        dict(n_test=90),
        dict(probe=3),
        dict(probe_epochs="all"),
        dict(data_seed=1),
        dict(members_per_unit=3),
        dict(blocks=(Block((12,), (0.5, 1.0), (0, 1, 2), 4),)),
        dict(blocks=(Block((13,), (0.5, 1.0), (0, 1, 2), 3),)),
    ],
)
def test_key_changes_with_every_result_field(changes):
    assert tiny(**changes).key(IDENTITY) != tiny().key(IDENTITY)


def test_key_changes_with_block_fields_and_data_identity():
    base = tiny().key(IDENTITY)
    b0, b1 = tiny().blocks
    for new in (
        dataclasses.replace(b0, gamma_grid=(0.5, 0.9)),
        dataclasses.replace(b0, seeds=(0, 1, 3)),
        dataclasses.replace(b0, epochs=5),
        dataclasses.replace(b0, widths=(11,)),
    ):
        assert tiny(blocks=(new, b1)).key(IDENTITY) != base
    for change in (dict(source="torchvision"), dict(n_train=201), dict(n_test=99)):
        assert tiny().key(dict(IDENTITY, **change)) != base


def test_key_changes_when_the_preset_changes(monkeypatch):
    base = tiny().key(IDENTITY)
    monkeypatch.setitem(presets.PRESETS, "fast", dataclasses.replace(presets.PRESETS["fast"], input_scale=0.05))
    assert tiny().key(IDENTITY) != base


# ----------------------------------------------------------------------------------------------------- units
def members_of(units):
    return [(u.block, g, s) for u in units for g, s in u.members()]


@pytest.mark.parametrize("cap", [1, 2, 3, 4, 5, 6, 7, 64])
def test_units_are_disjoint_cover_and_follow_member_order(cap):
    exp = tiny(members_per_unit=cap)
    units = exp.units()
    expected = [(b, g, s) for b, block in enumerate(exp.blocks) for g, s in block.members()]
    assert members_of(units) == expected  # each member once, in γ-major order
    assert all(u.n_members <= cap for u in units)
    first = [u.first_member for u in units]
    assert first == [sum(v.n_members for v in units[:i]) for i in range(len(units))]
    assert [u.index for u in units] == list(range(len(units)))
    assert len({u.id for u in units}) == len(units)


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8])
def test_shards_partition_the_units(n):
    units = tiny(members_per_unit=2).units()
    shards = [shard_units(units, k, n) for k in range(n)]
    ids = [u.id for s in shards for u in s]
    assert sorted(ids) == sorted(u.id for u in units) and len(ids) == len(set(ids))
    assert parse_shard(f"{n - 1}/{n}") == (n - 1, n)


def test_units_do_not_depend_on_sharding():
    exp = tiny(members_per_unit=3)
    # Units are a function of the configuration alone: the same list, whatever shard asks.
    assert exp.units() == exp.units()
    by_id = {u.id: u for u in exp.units()}
    for n in (1, 2, 4):
        for k in range(n):
            for u in shard_units(exp.units(), k, n):
                assert by_id[u.id] == u


def test_probe_epochs():
    assert tiny().probe_epoch_list(0) == [0, 3] and tiny(probe_epochs="all").probe_epoch_list(1) == [0, 1, 2]
    assert tiny(probe=0).probe_epoch_list(0) == []


# --------------------------------------------------------------------------------------------------- catalog
def test_papers_and_chapters_are_registered():
    for preset in ("authors", "default"):
        shallow = get_experiment(f"paper_shallow_{preset}")
        assert [b.widths for b in shallow.blocks] == [(100,), (500,), (1000,), (3000,)]
        assert all(b.epochs == 500 and len(b.gamma_grid) == 6 and b.seeds == (0, 1, 2) for b in shallow.blocks)
        mlp2, mlp3 = get_experiment(f"paper_mlp2_{preset}"), get_experiment(f"paper_mlp3_{preset}")
        assert mlp2.blocks[0].epochs == 1000 and len(mlp2.blocks[0].gamma_grid) == 9
        assert mlp3.blocks[0].epochs == 1500 and len(mlp3.blocks[0].gamma_grid) == 27
        assert shallow.n_train is None and mlp3.preset == preset and mlp3.settings()["batch_size"] == 20
    for name in (
        "ch4_shallow",
        "ch4_shallow_authors",
        "ch4_mlp2",
        "ch4_mlp2_nobias",
        "ch4_mlp3_nobias",
        "ch5_shallow_variance",
    ):
        assert name in EXPERIMENTS and f"{name}_full" in EXPERIMENTS
    var = get_experiment("ch5_shallow_variance")
    steps = var.steps_per_epoch(var.n_train)
    assert {b.epochs * steps / b.widths[-1] for b in var.blocks} == {16.0}  # one clock t for every width


def test_register_and_json_file(tmp_path):
    exp = tiny(name="test_registered_tiny")
    assert register(exp) is exp and get_experiment("test_registered_tiny") == exp
    assert register(exp) is exp  # the same again is fine
    with pytest.raises(ValueError, match="already registered"):
        register(exp.replace(data_seed=5))
    del EXPERIMENTS["test_registered_tiny"]
    path = tmp_path / "e.json"
    import json

    path.write_text(json.dumps(exp.to_dict()))
    assert load_experiment(str(path)) == exp
    with pytest.raises(ValueError, match="does not exist"):
        load_experiment(str(tmp_path / "missing.json"))
    path.write_text(json.dumps(dict(exp.to_dict(), epochs=3)))
    with pytest.raises(ValueError, match=r"unknown experiment field\(s\) \['epochs'\]"):
        load_experiment(str(path))
