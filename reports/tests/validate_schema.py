#!/usr/bin/env python3
"""Validates a forkconf JSON document against the tables of reports/SCHEMA.md.

  validate_schema.py SCHEMA.md DOCUMENT.json

The document's "schema" field picks the table (<!-- schema: NAME -->). Fails
(exit 1, one line per problem) on a missing required field, a field of the
wrong type, or a field the table does not document. Python 3 stdlib only.
"""
import json
import re
import sys


def tables(markdown):
    """{schema name: {path: (type, required)}} from the marked tables."""
    out = {}
    current = None
    for line in markdown.splitlines():
        m = re.match(r"<!-- schema: ([\w-]+) -->", line.strip())
        if m:
            current = out.setdefault(m.group(1), {})
            continue
        if current is None:
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and cells[0].startswith("`") and cells[0].endswith("`"):
            current[cells[0].strip("`")] = (cells[1], cells[2] == "yes")
        elif line.strip() == "" and current:
            current = None
    return out


def type_ok(value, kind):
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "object":
        return isinstance(value, dict)
    if kind == "array":
        return isinstance(value, list)
    if kind == "string[]":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    raise SystemExit(f"SCHEMA.md: unknown type {kind!r}")


def validate(doc, table):
    problems = []
    seen = set()

    def children(prefix):
        """Documented paths directly under `prefix`."""
        out = {}
        for path, spec in table.items():
            rest = path[len(prefix):] if prefix else path
            if prefix and not path.startswith(prefix):
                continue
            if prefix:
                if not rest.startswith("."):
                    continue
                rest = rest[1:]
            if rest and "." not in rest.replace("[]", "") and "[]" not in rest:
                out[rest] = (path, spec)
        return out

    def walk(value, path, where):
        spec = table.get(path)
        if spec is None:
            problems.append(f"{where}: field not documented in SCHEMA.md ({path})")
            return
        seen.add(path)
        kind, _ = spec
        if not type_ok(value, kind):
            problems.append(f"{where}: {json.dumps(value)[:60]} is not {kind}")
            return
        if kind == "array":
            for i, item in enumerate(value):
                walk_item(item, path + "[]", f"{where}[{i}]")
        elif kind == "object":
            if path + ".*" in table:
                for key, item in value.items():
                    walk(item, path + ".*", f"{where}.{key}")
            else:
                walk_object(value, path, where)

    def walk_item(item, path, where):
        if not isinstance(item, dict):
            problems.append(f"{where}: not an object")
            return
        walk_object(item, path, where)

    def walk_object(obj, prefix, where):
        documented = children(prefix)
        for key, item in obj.items():
            full = f"{prefix}.{key}" if prefix else key
            walk(item, full, f"{where}.{key}" if where else key)
        for key, (full, (_, required)) in documented.items():
            if required and key not in obj:
                problems.append(f"{where or '(root)'}: required field {key!r} missing ({full})")

    walk_object(doc, "", "")
    return problems, seen


def main():
    schema_md, document = sys.argv[1], sys.argv[2]
    with open(schema_md) as f:
        all_tables = tables(f.read())
    with open(document) as f:
        doc = json.load(f)
    name = doc.get("schema")
    if name not in all_tables:
        print(f"{document}: schema {name!r} is not documented in {schema_md}")
        return 1
    problems, seen = validate(doc, all_tables[name])
    for p in problems:
        print(f"{document}: {p}")
    if not problems:
        print(f"{document}: valid {name} v{doc.get('schema_version')} "
              f"({len(seen)} of {len(all_tables[name])} documented fields present)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
