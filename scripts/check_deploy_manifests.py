#!/usr/bin/env python3
"""Checks that the Kubernetes manifests in DIR agree with each other.

The schema check (kubernetes-validate) sees one object at a time; a set of objects that are
each valid can still never run: a worker dialling a Service that does not exist, a Secret key
nobody created, three different values of N. Those mistakes surface only on a cluster, minutes
into a run, so they are checked here. Usage: check_deploy_manifests.py DIR (deploy/kubernetes).
Prints one line per problem and exits 1 if there is any.
"""
import os
import re
import sys

import yaml

KINDS = {"ConfigMap", "Secret", "Service", "Job", "Deployment"}
problems = []


def problem(where, text):
    """where: a file of the folder, or None for the folder itself."""
    problems.append((where, text))


def flag(args, name):
    """The value of --name in a container's args (as '--name V' or '--name=V'), else None."""
    for i, a in enumerate(args):
        if a == name and i + 1 < len(args):
            return args[i + 1]
        if a.startswith(name + "="):
            return a[len(name) + 1:]
    return None


def main(root):
    # Every object, with the file it came from.
    objects = []
    kustomization = None
    for name in sorted(os.listdir(root)):
        if not name.endswith((".yaml", ".yml")):
            continue
        try:
            docs = [d for d in yaml.safe_load_all(open(os.path.join(root, name))) if d is not None]
        except yaml.YAMLError as e:
            problem(name, f"not YAML: {str(e).splitlines()[0]}")
            continue
        if name == "kustomization.yaml":
            kustomization = docs[0] if docs else {}
            continue
        for d in docs:
            if not isinstance(d, dict) or d.get("kind") not in KINDS:
                problem(name, f"unexpected object (kind {d.get('kind') if isinstance(d, dict) else d!r}); expected one of {sorted(KINDS)}")
                continue
            objects.append((name, d))
    if problems:
        return
    by = {}
    for f, o in objects:
        key = (o["kind"], o["metadata"]["name"])
        if key in by:
            problem(f, f"{key[0]} {key[1]} is defined twice")
        by[key] = (f, o)

    # kustomization.yaml applies every manifest, and only existing ones.
    if kustomization is None:
        problem(None, "no kustomization.yaml")
    else:
        listed = kustomization.get("resources") or []
        files = {f for f, _ in objects}
        for r in listed:
            if not os.path.exists(os.path.join(root, r)):
                problem("kustomization.yaml", f"resource {r} does not exist")
        for f in sorted(files - set(listed)):
            problem("kustomization.yaml", f"{f} is not in resources, so `kubectl apply -k` would leave it out")
        images = {i.get("name") for i in kustomization.get("images") or []}

    def pods():
        for f, o in objects:
            if o["kind"] in ("Job", "Deployment"):
                yield f, o, o["spec"]["template"]

    def component(value):
        found = [(f, o) for f, o in objects if o["kind"] == "Job"
                 and o["spec"]["template"]["metadata"].get("labels", {}).get("app.kubernetes.io/component") == value]
        if len(found) != 1:
            problem(None, f"expected one Job with component {value}, found {len(found)}")
            return None, None
        return found[0]

    for f, o, t in pods():
        spec = t["spec"]
        for c in spec["containers"]:
            where = f"{f}: container {c['name']}"
            # Every $(VAR) in args must be a variable of the container: Kubernetes leaves an
            # unknown one as the literal text, so a typo becomes e.g. '--workers $(CPU)'.
            env = {e["name"] for e in c.get("env") or []}
            for a in (c.get("command") or []) + (c.get("args") or []):
                for var in re.findall(r"(?<!\$)\$\(([A-Za-z_][A-Za-z0-9_]*)\)", a):
                    if var not in env:
                        problem(where, f"$({var}) is used but not defined in env")
            # Every Secret and ConfigMap the pod reads exists, with the key it reads.
            for e in c.get("env") or []:
                ref = (e.get("valueFrom") or {}).get("secretKeyRef")
                if ref:
                    secret = by.get(("Secret", ref["name"]))
                    if not secret:
                        problem(where, f"env {e['name']} reads Secret {ref['name']}, which no manifest defines")
                    elif ref["key"] not in {**(secret[1].get("data") or {}), **(secret[1].get("stringData") or {})}:
                        problem(where, f"env {e['name']} reads key {ref['key']!r} of Secret {ref['name']}, which has no such key")
            if kustomization is not None and c["image"].split(":")[0] not in images:
                problem(where, f"image {c['image']} is not set by kustomization.yaml's images:")
        for v in spec.get("volumes") or []:
            if "configMap" in v and ("ConfigMap", v["configMap"]["name"]) not in by:
                problem(f, f"volume {v['name']} mounts ConfigMap {v['configMap']['name']}, which no manifest defines")
        if spec.get("restartPolicy", "Always") != "Never" and o["kind"] == "Job":
            problem(f, "restartPolicy must be Never: a restarted coordinator or worker cannot rejoin its run")

    cf, coordinator = component("coordinator")
    wf, workers = component("worker")
    if not coordinator or not workers:
        return
    cpod = coordinator["spec"]["template"]
    cc = cpod["spec"]["containers"][0]
    cargs = [str(a) for a in cc.get("args") or []]
    wc = workers["spec"]["template"]["spec"]["containers"][0]
    wargs = [str(a) for a in wc.get("args") or []]

    if cargs[:1] != ["coordinator"]:
        problem(cf, f"the container's args must start with 'coordinator', not {cargs[:1]}")
    if coordinator["spec"].get("backoffLimit") != 0:
        problem(cf, "backoffLimit must be 0: a retried coordinator would be a second test without workers")
    for f, o in ((cf, coordinator), (wf, workers)):
        if not o["spec"].get("activeDeadlineSeconds"):
            problem(f, "no activeDeadlineSeconds: a stuck run would hold its nodes forever")

    # The worker dials the Service, and the Service leads to the coordinator's listening port.
    listen = flag(cargs, "--listen") or "127.0.0.1:6575"
    listen_host, _, listen_port = listen.rpartition(":")
    if listen_host.startswith("127.") or listen_host in ("localhost", "[::1]"):
        problem(cf, f"--listen {listen} is loopback only: workers in other pods cannot reach it")
    dial = flag(wargs, "--coordinator")
    if not dial:
        problem(wf, "the worker has no --coordinator")
    else:
        host, _, port = dial.rpartition(":")
        svc_name = host.split(".")[0]
        svc = by.get(("Service", svc_name))
        if not svc:
            problem(wf, f"--coordinator {dial}: no Service named {svc_name}")
        else:
            sf, s = svc
            labels = cpod["metadata"].get("labels") or {}
            if not s["spec"].get("selector") or any(labels.get(k) != v for k, v in s["spec"]["selector"].items()):
                problem(sf, f"Service {svc_name}'s selector {s['spec'].get('selector')} does not select the coordinator pod {labels}")
            ports = [p for p in s["spec"]["ports"] if str(p["port"]) == port]
            if not ports:
                problem(wf, f"--coordinator {dial}: Service {svc_name} has no port {port}")
            else:
                target = ports[0].get("targetPort", ports[0]["port"])
                named = {p.get("name"): p["containerPort"] for p in cc.get("ports") or []}
                target = named.get(target, target)
                if str(target) != listen_port:
                    problem(sf, f"port {port} leads to container port {target}, but the coordinator listens on {listen_port}")

    # N in the two places it is written.
    spec = workers["spec"]
    n = flag(cargs, "--workers")
    if spec.get("completionMode") != "Indexed":
        problem(wf, "completionMode must be Indexed (each pod's index is its tag)")
    if not (str(spec.get("completions")) == str(spec.get("parallelism")) == str(n)):
        problem(wf, f"completions ({spec.get('completions')}), parallelism ({spec.get('parallelism')}) "
                    f"and the coordinator's --workers ({n}) must be equal: the coordinator waits for exactly that many")

    # The token: both sides read it from the same Secret key.
    def token(c):
        return next(((e["valueFrom"]["secretKeyRef"]["name"], e["valueFrom"]["secretKeyRef"]["key"])
                     for e in c.get("env") or [] if e["name"] == "STAMPEDE_TOKEN" and "secretKeyRef" in (e.get("valueFrom") or {})), None)
    if token(cc) is None or token(cc) != token(wc):
        problem(wf, f"STAMPEDE_TOKEN must come from the same Secret key in both pods (coordinator {token(cc)}, worker {token(wc)})")

    # The test the coordinator is given is a file of the mounted ConfigMap, and so is every
    # file the plan reads (the coordinator ships them; it can only ship what it can open).
    test = cargs[1] if len(cargs) > 1 else ""
    mounts = [m for m in cc.get("volumeMounts") or [] if test.startswith(m["mountPath"].rstrip("/") + "/")]
    volumes = {v["name"]: v for v in cpod["spec"].get("volumes") or []}
    if not mounts or "configMap" not in volumes.get(mounts[0]["name"], {}):
        problem(cf, f"the test {test!r} is not in a mounted ConfigMap")
    else:
        cm_name = volumes[mounts[0]["name"]]["configMap"]["name"]
        cm = by.get(("ConfigMap", cm_name))
        key = test[len(mounts[0]["mountPath"].rstrip("/")) + 1:]
        data = (cm[1].get("data") or {}) if cm else {}
        if cm and key not in data:
            problem(cm[0], f"ConfigMap {cm_name} has no key {key!r}, the file the coordinator is given ({test})")
        elif cm:
            check_plan(cm[0], cm_name, key, data)


def check_plan(where, cm_name, key, data):
    """The plan parses, and every feeder file it names is in the same ConfigMap: relative
    paths are read from the plan's folder, the mount, which holds the ConfigMap's keys."""
    try:
        plan = yaml.safe_load(data[key])
    except yaml.YAMLError as e:
        problem(where, f"{key} is not YAML: {str(e).splitlines()[0]}")
        return
    if not isinstance(plan, dict) or not isinstance(plan.get("scenarios"), dict) or not plan["scenarios"]:
        problem(where, f"{key} has no scenarios: not a plan file (docs/plan-files.md)")
        return
    for scenario, s in plan["scenarios"].items():
        feeder = (s or {}).get("feeder") or {}
        if feeder.get("file") and feeder["file"] not in data:
            problem(where, f"{key}: scenario {scenario} reads {feeder['file']}, which ConfigMap {cm_name} does not hold")

if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: check_deploy_manifests.py DIR")
    main(sys.argv[1])
    for where, text in problems:
        print(f"check-deploy: {os.path.join(sys.argv[1], where or '')}: {text}", file=sys.stderr)
    sys.exit(1 if problems else 0)
