"""Every path given is read or reported; names are normalised and suspicious ones reported.

The file-system cases (links, loops, devices, unreadable directories) cannot live in the committed corpus of
tests/bad_data, so each builds its tree in a temporary directory; like the corpus, a refused load leaves the
graph's fingerprint unchanged.
"""

from __future__ import annotations

import os
import subprocess
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_bad_input import BASE_COUNTS, ROOT, VALID, WBKG, base_graph, cli_env, counts, fingerprint, run_main

from wbkg.errors import InvalidData
from wbkg.graph.connection import Graph
from wbkg.loaders.dataset import read_dataset
from wbkg.loaders.safeyaml import MAX_FILE_BYTES, read_bounded

__all__ = ["base_graph"]  # the module fixture holding tests/bad_data/_valid, shared with test_bad_input
BASE = (ROOT / VALID / "base.yaml").read_text(encoding="utf-8")

SOURCE = """nodes:
  - id: src-a
    class: Source
    title: A report
    publisher: Someone
    kind: news
"""


def problems(paths: list[Path]) -> list[str]:
    with pytest.raises(InvalidData) as e:
        read_dataset(paths)
    return [str(p) for p in e.value.problems]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """tmp/data holding the valid base file in a subdirectory."""
    (tmp_path / "data" / "sub").mkdir(parents=True)
    (tmp_path / "data" / "sub" / "base.yaml").write_text(BASE, encoding="utf-8")
    return tmp_path / "data"


def test_a_symlinked_directory_is_read(tree: Path, tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "more.yaml").write_text(
        SOURCE.replace("src-a", "src-b") + "  - {id: acme-two, class: Firm, name: Acme Two, sources: [src-b]}\n",
        encoding="utf-8")
    (tree / "linked").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    ds = read_dataset([tree])
    assert ds.files == [str(tree / "linked" / "more.yaml"), str(tree / "sub" / "base.yaml")]
    assert "acme-two" in ds.nodes


def test_dangling_link_is_reported(tree: Path) -> None:
    (tree / "gone.yaml").symlink_to(tree / "missing.yaml")
    (tree / "gone-dir").symlink_to(tree / "missing-dir")
    assert problems([tree]) == [f"{tree}/gone-dir: dangling symbolic link (to {tree}/missing-dir)",
                                f"{tree}/gone.yaml: dangling symbolic link (to {tree}/missing.yaml)"]
    assert problems([tree / "gone.yaml"]) == [f"{tree}/gone.yaml: dangling symbolic link (to {tree}/missing.yaml)"]


def test_link_loops_are_reported(tree: Path) -> None:
    (tree / "self.yaml").symlink_to("self.yaml")
    (tree / "sub" / "up").symlink_to("..", target_is_directory=True)
    assert problems([tree]) == [
        f"{tree}/self.yaml: symbolic link loop (to self.yaml)",
        f"{tree}/sub/up: directory already read as {tree} (a symbolic link loop or a second link)",
    ]


def test_a_link_to_a_device_is_refused_unread(tree: Path) -> None:
    (tree / "zero.yaml").symlink_to("/dev/zero")
    expected = [f"{tree}/zero.yaml: not a regular file (a character device); only regular .yaml files are read"]
    assert problems([tree]) == expected
    assert problems([tree / "zero.yaml"]) == expected


def test_a_named_pipe_is_refused_without_blocking(tree: Path) -> None:
    os.mkfifo(tree / "pipe.yaml")
    assert problems([tree]) == [f"{tree}/pipe.yaml: not a regular file (a named pipe); only regular .yaml files "
                                "are read"]


def test_size_is_measured_on_bytes_read_not_st_size(tmp_path: Path) -> None:
    # /proc files report st_size 0 whatever they hold; a bounded read still stops at the limit
    assert Path("/proc/self/status").stat().st_size == 0
    assert read_bounded(Path("/proc/self/status")).startswith(b"Name:")
    with pytest.raises(Exception) as e:
        read_bounded(Path("/proc/self/status"), limit=10)
    assert str(e.value) == "file is over the limit of 10 bytes"
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * (MAX_FILE_BYTES + 1))
    assert problems([big]) == [f"{big}: file is over the limit of {MAX_FILE_BYTES} bytes"]


@pytest.fixture
def closed_subdirectory(tree: Path) -> Iterator[Path]:
    """The tree with a subdirectory nobody may read."""
    closed = tree / "closed"
    closed.mkdir()
    (closed / "more.yaml").write_text(BASE, encoding="utf-8")
    closed.chmod(0o000)
    yield tree
    closed.chmod(0o755)


def test_an_unreadable_subdirectory_is_reported(closed_subdirectory: Path) -> None:
    """As an unprivileged user. Root reads any directory, so as root the command runs without the capabilities
    that override file permissions (util-linux setpriv; Debian's util-linux is essential)."""
    tree = closed_subdirectory
    prefix = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"] if os.geteuid() == 0 else []
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "WBKG_"))}
    env.update(WBKG_CONFIG="/nonexistent/wbkg.toml")
    proc = subprocess.run([*prefix, str(WBKG), "validate", str(tree)], capture_output=True, text=True,
                          timeout=120, env=env, cwd=tree)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr.splitlines() == [f"error: {tree}/closed: cannot read directory: Permission denied",
                                        "error: 1 problem(s) in the data; nothing was written"]


def test_load_of_a_tree_with_an_unread_path_changes_nothing(tree: Path, base_graph: Graph,
                                                            monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    (tree / "gone.yaml").symlink_to(tree / "missing.yaml")
    before = fingerprint(base_graph)
    for key, value in cli_env(base_graph.cfg).items():
        if key.startswith(("NEO4J_", "WBKG_")):
            monkeypatch.setenv(key, value)
    code, out = run_main(["load", "-q", str(tree)], monkeypatch, capsys)
    assert code == 2
    assert out.splitlines() == [f"error: {tree}/gone.yaml: dangling symbolic link (to {tree}/missing.yaml)",
                                "error: 1 problem(s) in the data; nothing was written"]
    assert fingerprint(base_graph) == before
    assert counts(base_graph) == BASE_COUNTS


# -- names -------------------------------------------------------------------------------------------------

def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "names.yaml"
    path.write_text(SOURCE + body, encoding="utf-8")
    return path


def test_names_are_normalised_to_nfc(tmp_path: Path) -> None:
    decomposed = unicodedata.normalize("NFD", "Beógrad Café")
    assert decomposed != "Beógrad Café"
    path = write(tmp_path, f"  - {{id: cafe, class: Firm, name: \"{decomposed}\", aliases: [\"{decomposed} 2\"], "
                           f"description: \"{decomposed} text\", sources: [src-a]}}\n")
    ds = read_dataset([path])
    props = ds.nodes["cafe"].props
    assert (props["name"], props["aliases"], props["description"]) == (
        "Beógrad Café", ["Beógrad Café 2"], "Beógrad Café text")
    assert ds.warnings == []


def test_invisible_and_bidi_characters_in_names_are_warned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "  - {id: acme, class: Firm, name: \"Ac\\u200bme\", sources: [src-a]}\n"
                           "  - {id: evil, class: Firm, name: Evil, aliases: [\"abc\\u202edef\"], sources: [src-a]}\n")
    code, out = run_main(["validate", str(path)], monkeypatch, capsys)  # stdout, then stderr
    assert code == 0
    assert out.splitlines() == [
        "ok: 1 file(s), 3 nodes, 0 relationships",
        "nodes: Firm 2, Source 1",
        "relationships: ",
        f"warning: {path}:7 id=acme field=name: 'Ac\\u200bme' contains the invisible character U+200B "
        "(ZERO WIDTH SPACE)",
        f"warning: {path}:8 id=evil field=aliases: 'abc\\u202edef' contains the bidirectional control character "
        "U+202E (RIGHT-TO-LEFT OVERRIDE)",
    ]


def test_confusable_names_of_two_nodes_are_warned(tmp_path: Path) -> None:
    path = write(tmp_path, "  - {id: hytera, class: Firm, name: Hytera, sources: [src-a]}\n"
                           "  - {id: fake, class: Firm, name: \"H\\u0443tera\", sources: [src-a]}\n"  # Cyrillic у
                           "  - {id: other, class: Firm, name: Other, aliases: [HYTERA], sources: [src-a]}\n"
                           "  - {id: same, class: Firm, name: Hytera Same, aliases: [Hytera same], sources: [src-a]}\n")
    ds = read_dataset([path])
    assert [str(w) for w in ds.warnings] == [
        f"{path}:8 id=fake field=name: 'Hуtera' can be confused with 'Hytera' of hytera ({path}:7)",
        f"{path}:9 id=other field=aliases: 'HYTERA' can be confused with 'Hytera' of hytera ({path}:7)",
    ]


def test_disputed_alternative_stakes_may_exceed_100(tmp_path: Path) -> None:
    rels = "".join(
        f"  - {{type: OWNS, from: {owner}, to: acme, share: {share}, status: {status}, evidence: Said so., "
        "sources: [src-a]}\n"
        for owner, share, status in (("state-a", 90, "asserted"), ("state-b", 60, "disputed"),
                                     ("state-c", 40, "denied"), ("state-a-again", 5, "asserted")))
    nodes = "".join(f"  - {{id: {s}, class: State, name: {s}, sources: [src-a]}}\n"
                    for s in ("state-a", "state-b", "state-c", "state-a-again"))
    path = write(tmp_path, nodes + "  - {id: acme, class: Firm, name: Acme, sources: [src-a]}\nrelationships:\n"
                 + rels)
    ds = read_dataset([path])  # 90 + 5 counted; the disputed and denied stakes are alternatives
    assert sorted(r.source for r in ds.relationships) == ["state-a", "state-a-again", "state-b", "state-c"]


def test_one_owners_stakes_at_different_times_do_not_add_up(tmp_path: Path) -> None:
    path = write(tmp_path, "  - {id: owner, class: Firm, name: Owner, sources: [src-a]}\n"
                           "  - {id: acme, class: Firm, name: Acme, sources: [src-a]}\nrelationships:\n"
                           "  - {type: OWNS, id: stake-2019, from: owner, to: acme, share: 60, date: '2019', "
                           "status: asserted, evidence: Said so., sources: [src-a]}\n"
                           "  - {type: OWNS, id: stake-2023, from: owner, to: acme, share: 70, date: '2023', "
                           "status: asserted, evidence: Said so., sources: [src-a]}\n")
    assert len(read_dataset([path]).relationships) == 2
