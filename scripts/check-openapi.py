#!/usr/bin/env python3
"""Calls every operation of an OpenAPI document against a server, as the document says,
and checks that each answers with its documented success status.

Usage: check-openapi.py --document FILE --base URL

Operations run in the document's order. Parameters take the document's examples; where a
`link` of an earlier response gives a parameter or body fields (`$response.body#/id`),
the value comes from that response, as a client following the links would do. Prints a
line per operation and exits 1 when any answered otherwise. Independent of stampede's own
converter, so the two check each other: this reads the document with json alone.
"""
import argparse
import json
import sys
import urllib.error
import urllib.parse
import urllib.request

METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--document", required=True)
    parser.add_argument("--base", required=True)
    args = parser.parse_args()
    with open(args.document) as file:
        document = json.load(file)

    def deref(node):
        while isinstance(node, dict) and "$ref" in node:
            target = document
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            node = target
        return node

    def evaluate(expression, response):
        if isinstance(expression, str) and expression.startswith("{$") and expression.endswith("}"):
            expression = expression[1:-1]
        if not (isinstance(expression, str) and expression.startswith("$response.body#/")):
            return expression
        value = response
        for part in expression[len("$response.body#/"):].split("/"):
            value = value[int(part)] if isinstance(value, list) else value[part]
        return value

    linked_parameters = {}  # operationId → {name: value}
    linked_bodies = {}      # operationId → {field: value}
    failures = 0
    count = 0
    for path, item in document["paths"].items():
        for method in METHODS:
            if method not in item:
                continue
            operation = item[method]
            operation_id = operation.get("operationId", f"{method.upper()} {path}")
            count += 1
            parameters = [deref(p) for p in item.get("parameters", []) + operation.get("parameters", [])]
            given = linked_parameters.get(operation_id, {})
            url_path = path
            query = []
            for parameter in parameters:
                value = given.get(parameter["name"], parameter.get("example", parameter.get("schema", {}).get("example")))
                if parameter["in"] == "path":
                    url_path = url_path.replace("{" + parameter["name"] + "}", urllib.parse.quote(str(value), safe=""))
                elif parameter["in"] == "query" and value is not None:
                    query.append((parameter["name"], str(value)))
            url = args.base.rstrip("/") + url_path + ("?" + urllib.parse.urlencode(query) if query else "")
            body = None
            headers = {}
            request_body = deref(operation.get("requestBody", {}))
            content = request_body.get("content", {}).get("application/json")
            if content is not None:
                value = content.get("example", {})
                if isinstance(value, dict):
                    value = {**value, **linked_bodies.get(operation_id, {})}
                body = json.dumps(value).encode()
                headers["Content-Type"] = "application/json"
            documented = sorted(int(code) for code in operation["responses"] if code.isdigit() and code.startswith("2"))
            request = urllib.request.Request(url, data=body, method=method.upper(), headers=headers)
            try:
                with urllib.request.urlopen(request, timeout=10) as answer:
                    status, text, media = answer.status, answer.read(), answer.headers.get_content_type()
            except urllib.error.HTTPError as error:
                status, text, media = error.code, error.read(), error.headers.get_content_type()
            ok = bool(documented) and status == documented[0]
            # The body's type must be one the document gives for that status.
            types = list(deref(operation["responses"].get(str(status), {})).get("content", {}))
            ok = ok and (not types or media in types)
            failures += 0 if ok else 1
            print(f"{'ok' if ok else 'FAILED'}: {operation_id} {method.upper()} {url_path} -> {status} {media} "
                  f"(documented: {documented} {types})")
            if not ok:
                continue
            try:
                payload = json.loads(text)
            except ValueError:
                continue
            for code in documented[:1]:
                for link in deref(operation["responses"][str(code)]).get("links", {}).values():
                    link = deref(link)
                    target = link["operationId"]
                    for name, expression in link.get("parameters", {}).items():
                        linked_parameters.setdefault(target, {}).setdefault(name, evaluate(expression, payload))
                    for field, expression in (link.get("requestBody") or {}).items():
                        linked_bodies.setdefault(target, {})[field] = evaluate(expression, payload)
    print(f"{count - failures} of {count} operations answered their documented status")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
