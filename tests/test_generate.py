"""The benchmark's synthetic dataset generator: its output validates (records and SHACL), with the curated
dataset's proportions and multi-level ownership chains with shares."""

from __future__ import annotations

from pathlib import Path

from rdflib import RDF

from benchmarks.generate import curated_profile, generate, node_id, plan
from wbkg.loaders.dataset import read_dataset
from wbkg.ontology.vocab import vocab
from wbkg.rdf.mapping import dataset_graph
from wbkg.rdf.validate import file_graphs, shacl_problems, validate_paths
from wbkg.resources import dataset_dir


def test_at_the_curated_size_every_count_is_the_curated_one(tmp_path: Path) -> None:
    curated = read_dataset([dataset_dir()])
    files = generate(tmp_path, len(curated.nodes), per_file=50)
    ds = read_dataset([tmp_path])
    assert ds.counts() == curated.counts()
    assert len(ds.relationships) == len(curated.relationships)
    assert sorted(ds.files) == sorted(str(f) for f in files)
    assert max(f.read_text(encoding="utf-8").count("\n  - ") for f in files) == 50
    v = vocab("https://wbkg.org/")
    assert shacl_problems(dataset_graph(ds, v), v) == []


def test_scaled_totals_are_exact_and_ownership_is_chained(tmp_path: Path) -> None:
    p = curated_profile()
    classes, pairs = plan(p, 1000)
    generate(tmp_path, 1000)
    ds = read_dataset([tmp_path])
    nodes, rels = ds.counts()
    assert len(ds.nodes) == 1000 == sum(classes.values())
    assert len(ds.relationships) == round(1000 * p.relationships / p.nodes) == sum(pairs.values())
    assert nodes == {c: n for c, n in sorted(classes.items())}
    for cls, n in nodes.items():
        assert abs(n - 1000 * p.classes[cls] / p.nodes) < 1
    owns = {(r.source, r.target): r.props.get("share") for r in ds.relationships if r.type == "OWNS"}
    chain = [node_id("Firm", i) for i in range(5)]
    assert all(owns.get((a, b)) is not None for a, b in zip(chain, chain[1:], strict=False))
    assert any(target == chain[0] and not source.startswith("syn-firm-") for source, target in owns)
    assert all(0 < share <= 100 for share in owns.values() if share is not None)
    into: dict[str, float] = {}
    for (_, target), share in owns.items():
        into[target] = into.get(target, 0.0) + (share or 0.0)
    assert max(into.values()) <= 100  # the validator's rule: stakes into one asset add up to 100% at most


def test_shacl_runs_file_by_file_with_the_classes_of_nodes_elsewhere() -> None:
    v = vocab("https://wbkg.org/")
    ds = validate_paths([dataset_dir()], v.base, shacl=True)
    graphs = dict(file_graphs(ds, v))
    assert sorted(graphs) == sorted(ds.files)
    hytera = next(f for f in graphs if f.endswith("hytera.yaml"))
    cited = {s for n in ds.nodes.values() if n.file == hytera for s in n.props["sources"]}
    assert cited and all(ds.nodes[s].file != hytera for s in cited)
    assert all((v.node(s), RDF.type, v.cls("Source")) in graphs[hytera] for s in cited)
