"""Draft a notebook from a plain-text script in "percent" format (for authors, optional).

    python tools/percent_to_ipynb.py draft.py notebooks/NN_topic_pytorch.ipynb

``# %% [markdown]`` starts a markdown cell (its lines lose the leading "# "), ``# %%`` a code cell.
The .ipynb is the source of truth afterwards; run tools/sync_notebooks.py --execute on it.
"""
import pathlib
import sys

import nbformat


def convert(text: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    kind, lines = None, []

    def flush():
        if kind is None:
            return
        body = "\n".join(lines).strip("\n")
        if kind == "markdown":
            body = "\n".join(l[2:] if l.startswith("# ") else l.lstrip("#") for l in body.splitlines())
            nb.cells.append(nbformat.v4.new_markdown_cell(body))
        elif body:
            nb.cells.append(nbformat.v4.new_code_cell(body))

    for line in text.splitlines():
        if line.startswith("# %%"):
            flush()
            kind, lines = ("markdown" if "[markdown]" in line else "code"), []
        else:
            lines.append(line)
    flush()
    return nb


if __name__ == "__main__":
    src, dst = map(pathlib.Path, sys.argv[1:3])
    nbformat.write(convert(src.read_text(encoding="utf-8")), dst)
    print(f"wrote {dst}")
