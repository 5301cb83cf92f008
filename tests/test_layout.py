"""The package's shape: stage subpackages without import cycles, internal imports at module
top, every module importable on its own, and the wheel carrying prompts, the sample and
the word lists (a non-editable install must work without the repository)."""

from __future__ import annotations

import ast
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "assistant"
# Third-party packages that may be imported inside a function: heavy, and not needed by
# every command (the CLI must start without loading a model or a web framework).
LAZY_OK = ("torch", "gradio", "llama_index", "pymilvus", "milvus_lite", "matplotlib")


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def _imports(name: str, path: Path) -> tuple[set[str], list[str]]:
    """(assistant modules imported at module level, imports found inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top, nested = set(), []
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1]
                                + ([base] if base else []))
            names = [f"{base}.{a.name}" for a in node.names] + [base]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        inside = any(isinstance(p, (ast.FunctionDef, ast.AsyncFunctionDef))
                     for p in _parents(tree, node))
        for n in names:
            if inside:
                nested.append(n)
            elif n.startswith("assistant"):
                top.add(n)
    return top, nested


def _parents(tree: ast.AST, target: ast.AST) -> list[ast.AST]:
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            child.parent = node  # type: ignore[attr-defined]
    out, node = [], target
    while hasattr(node, "parent"):
        node = node.parent
        out.append(node)
    return out


def _ancestors(name: str) -> set[str]:
    parts = name.split(".")
    return {".".join(parts[:i]) for i in range(1, len(parts))}


def test_no_import_cycles_between_modules():
    mods = _modules()
    graph = {}
    for name, path in mods.items():
        top, _ = _imports(name, path)
        # A module's own packages are initialised before it: importing them is no cycle.
        graph[name] = {m for m in top if m in mods and m != name and m not in _ancestors(name)}
    # Tarjan-free check: depth-first search with colours.
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, [*stack, nxt])
        state[node] = 2

    for name in graph:
        if name not in state:
            visit(name, [name])
    assert not cycles, f"import cycles: {cycles[:3]}"


def _heavy(mods: dict[str, Path]) -> set[str]:
    """Our modules that import a LAZY_OK package at their top, themselves or through our
    modules they import there (so may be imported late)."""
    out = set()
    for name, path in mods.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(n.startswith(LAZY_OK) for n in names):
                out.add(name)
    tops = {name: _imports(name, path)[0] for name, path in mods.items()}
    grown = True
    while grown:
        more = {n for n, top in tops.items() if n not in out and top & out}
        out |= more
        grown = bool(more)
    return out


def test_internal_imports_are_at_module_top():
    """Our own modules are imported at module top, except those that load torch, gradio,
    llama-index or another heavy optional package (and the package's lazy facade)."""
    mods = _modules()
    heavy = _heavy(mods)
    late = {}
    for name, path in mods.items():
        _, nested = _imports(name, path)
        bad = [n for n in nested if n.startswith("assistant") and n not in heavy
               and n.rpartition(".")[0] not in heavy and name != "assistant"]
        if bad:
            late[name] = bad
    assert not late, f"imports inside functions: {late}"


def test_every_module_imports_on_its_own():
    """Each module in a fresh interpreter (an import that works only after another module
    was imported is an order bug)."""
    names = [n for n in _modules() if n != "assistant.cli.__main__"]

    def alone(name: str) -> tuple[str, str] | None:
        r = subprocess.run([sys.executable, "-c", f"import {name}"], capture_output=True,
                           text=True, cwd=ROOT, timeout=300)
        return (name, r.stderr.strip()[-300:]) if r.returncode else None

    with ThreadPoolExecutor(4) as pool:
        bad = [b for b in pool.map(alone, names) if b]
    assert not bad, bad


def test_modules_stay_small():
    big = {n: len(p.read_text(encoding="utf-8").splitlines()) for n, p in _modules().items()}
    assert not {n: k for n, k in big.items() if k > 360}, "split modules over ~300 lines"


def test_wheel_carries_prompts_samples_and_word_lists(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(tmp_path), str(ROOT)], check=True, timeout=600)
    wheel = next(tmp_path.glob("isnad-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for prompt in (ROOT / "prompts").glob("*.txt"):
        assert f"assistant/prompts/{prompt.name}" in names
    for sample in [*(ROOT / "samples").glob("*.txt"), *(ROOT / "samples").glob("*.meta.json")]:
        assert f"assistant/samples/{sample.name}" in names
    data = [p.relative_to(ROOT) for p in (PACKAGE / "lexicon" / "data").glob("*.tsv")]
    assert all(p.as_posix() in names for p in data)
    assert not any(n.startswith(("tests/", "benchmarks/", "index/")) for n in names)
