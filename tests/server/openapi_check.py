#!/usr/bin/env python3
"""Checks docs/openapi.yaml and prints its operations for tst_openapi.

Exit 0 and one JSON object on stdout, {"operations": [["GET", "/v1/conversations"], ...]},
when the document is valid; exit 1 and one problem per line on stderr otherwise. Valid means:
  - it is YAML that the OpenAPI 3.1 schema (oas-3.1-schema.json beside this file, the OpenAPI
    Initiative's https://spec.openapis.org/oas/3.1/schema/2022-10-07, Apache-2.0) accepts;
  - every schema object in it is a valid JSON Schema 2020-12 (the OAS schema does not check those);
  - every local $ref points at something, every path parameter is declared, operationIds are
    unique.
Debian 12 packages only: python3-yaml, python3-jsonschema.
"""
import json
import re
import sys
from pathlib import Path

import jsonschema
import yaml

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def resolve(doc, ref):
    node = doc
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def walk(node, path=()):
    if isinstance(node, dict):
        yield path, node
        for k, v in node.items():
            yield from walk(v, path + (str(k),))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from walk(v, path + (str(i),))


def schemas(doc):
    """Every schema object: under components/schemas and every 'schema' key."""
    for path, node in walk(doc):
        parent = path[-1] if path else ""
        if parent == "schema" or (len(path) == 3 and path[:2] == ("components", "schemas")):
            yield "/".join(path), node


def main():
    if len(sys.argv) != 2:
        print("usage: openapi_check.py docs/openapi.yaml", file=sys.stderr)
        return 2
    try:
        doc = yaml.safe_load(Path(sys.argv[1]).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        print(f"{sys.argv[1]}: {e}".replace("\n", " "), file=sys.stderr)
        return 1
    meta = json.loads((Path(__file__).parent / "oas-3.1-schema.json").read_text(encoding="utf-8"))
    problems = []

    validator = jsonschema.Draft202012Validator(meta)
    for e in sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path)):
        problems.append("/".join(map(str, e.absolute_path)) + ": " + e.message)

    for where, s in schemas(doc):
        try:
            jsonschema.Draft202012Validator.check_schema(s)
        except jsonschema.SchemaError as e:
            problems.append(f"{where}: not a JSON Schema: {e.message}")

    for path, node in walk(doc):
        ref = node.get("$ref")
        if isinstance(ref, str):
            if not ref.startswith("#/"):
                problems.append("/".join(path) + f": $ref {ref} points outside the document")
            elif resolve(doc, ref) is None:
                problems.append("/".join(path) + f": $ref {ref} points at nothing")

    operations = []
    seen_ids = set()
    for p, item in (doc.get("paths") or {}).items():
        declared_in_path = set(re.findall(r"\{([^}]+)\}", p))
        common = item.get("parameters", [])
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            operations.append([method.upper(), p])
            op_id = op.get("operationId")
            if op_id in seen_ids:
                problems.append(f"{method.upper()} {p}: operationId {op_id} used twice")
            seen_ids.add(op_id)
            declared = set()
            for param in common + op.get("parameters", []):
                if "$ref" in param:
                    param = resolve(doc, param["$ref"]) or {}
                if param.get("in") == "path":
                    declared.add(param.get("name"))
            if declared != declared_in_path:
                problems.append(f"{method.upper()} {p}: path parameters {sorted(declared_in_path)} "
                                f"but declared {sorted(declared)}")

    if problems:
        for line in problems:
            print(line, file=sys.stderr)
        return 1
    json.dump({"operations": operations}, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
