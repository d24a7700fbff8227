"""Writes every distinct script body of the given pipeline files (GitHub `run:`, Azure `bash:` and
`inlineScript:`) to its own file under OUT_DIR, so shellcheck can read them. Usage: extract_scripts.py
OUT_DIR FILE..."""
import pathlib
import sys

from ruamel.yaml import YAML


def scripts(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("run", "bash", "inlineScript") and isinstance(value, str):
                yield value
            else:
                yield from scripts(value)
    elif isinstance(node, list):
        for item in node:
            yield from scripts(item)


def main():
    out = pathlib.Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    seen = set()
    total = 0
    for name in sys.argv[2:]:
        document = YAML(typ="safe").load(pathlib.Path(name).read_text(encoding="utf-8"))
        for body in scripts(document):
            total += 1
            if body in seen:
                continue
            seen.add(body)
            (out / f"script-{len(seen):05d}.sh").write_text("#!/usr/bin/env bash\n" + body, encoding="utf-8")
    print(f"extracted {len(seen)} distinct script(s) of {total} from {len(sys.argv) - 2} file(s)")


main()
