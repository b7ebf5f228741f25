#!/usr/bin/env python3
"""Checks the CI recipes in DIR (deploy/ci) for what their linters cannot see.

check-jsonschema checks each file's shape against GitHub's and GitLab's schemas, and
actionlint the GitHub workflow's expressions, actions and `run:` scripts (with shellcheck).
A recipe that passes them can still gate nothing or lose its report: a results folder
uploaded under another name than the one stampede writes, an upload that is skipped exactly
when a threshold fails, a load test allowed to fail. So, for every job of
deploy/ci/github-actions.yml and gitlab-ci.yml:
  - the job runs stampede with --junit FILE and --results-dir DIR, is not allowed to fail,
    and always keeps FILE and DIR as artifacts (FILE also as the JUnit report);
  - GitLab's scripts pass shellcheck (GitHub's `run:` scripts are actionlint's).
Usage: check_ci_recipes.py SHELLCHECK DIR. Prints one line per problem; exits 1 on any.
"""
import os
import re
import shlex
import subprocess
import sys
import tempfile

import yaml

problems = []


def problem(where, text):
    problems.append(f"{where}: {text}")


def stampede_flags(script):
    """--junit and --results-dir of the stampede command in a script, or None without one."""
    for line in script.replace("\\\n", " ").splitlines():
        try:
            words = shlex.split(line, comments=True)
        except ValueError:
            continue
        if "--junit" in words and "--results-dir" in words:
            get = lambda flag: words[words.index(flag) + 1] if words.index(flag) + 1 < len(words) else ""
            return get("--junit"), get("--results-dir").rstrip("/")
    return None


def shellcheck(shellcheck_bin, where, script, shell):
    with tempfile.NamedTemporaryFile("w", suffix=".sh") as f:
        f.write(f"#!/bin/{shell}\n{script}\n")
        f.flush()
        out = subprocess.run([shellcheck_bin, "-f", "gcc", f.name], capture_output=True, text=True)
    for line in (out.stdout + out.stderr).splitlines():
        # FILE:LINE:COL: level: text; LINE counts the shebang we added.
        m = re.match(r".*?:(\d+):(\d+): (.*)", line)
        problem(where, f"shellcheck: line {int(m.group(1)) - 1}: {m.group(3)}" if m else f"shellcheck: {line}")
    if out.returncode not in (0, 1):
        problem(where, f"shellcheck failed to run (exit {out.returncode})")


def check_github(path):
    name = os.path.basename(path)
    wf = yaml.safe_load(open(path))
    for job_id, job in (wf.get("jobs") or {}).items():
        where = f"{name}: job {job_id}"
        steps = job.get("steps") or []
        flags = None
        for i, step in enumerate(steps):
            label = f"{where}: step {step.get('name') or step.get('uses') or i + 1}"
            if "run" in step:
                if stampede_flags(step["run"]):
                    flags = stampede_flags(step["run"])
                    if step.get("continue-on-error"):
                        problem(label, "continue-on-error on the load test: a failed threshold would not fail the job")
        if not flags:
            problem(where, "no step runs stampede with --junit FILE and --results-dir DIR")
            continue
        junit, results = flags
        kept = False
        for step in steps:
            uses, with_ = step.get("uses") or "", step.get("with") or {}
            always = "always()" in str(step.get("if", ""))
            if uses.startswith("actions/upload-artifact@"):
                paths = {p.strip().rstrip("/") for p in str(with_.get("path", "")).splitlines()}
                kept = kept or (always and {junit, results} <= paths)
            if uses.startswith("mikepenz/action-junit-report@") and not (always and with_.get("report_paths") == junit):
                problem(where, f"the JUnit report step must run if: always() on {junit}")
        if not kept:
            problem(where, f"no upload-artifact step with if: always() keeps {junit} and {results}/: "
                           "the results would be lost exactly when a threshold fails")


def check_gitlab(shellcheck_bin, path):
    name = os.path.basename(path)
    ci = yaml.safe_load(open(path))
    jobs = {k: v for k, v in ci.items() if isinstance(v, dict) and "script" in v and not k.startswith(".")}
    if not jobs:
        problem(name, "no job")
    for job_id, job in jobs.items():
        where = f"{name}: job {job_id}"
        lines = []
        for key in ("before_script", "script"):
            v = job.get(key) or []
            lines += [v] if isinstance(v, str) else v
        script = "\n".join(lines)
        # GitLab's runner uses bash when the image has it, else sh: keep to sh.
        shellcheck(shellcheck_bin, where, script, "sh")
        flags = stampede_flags(script)
        if not flags:
            problem(where, "the script runs no stampede with --junit FILE and --results-dir DIR")
            continue
        junit, results = flags
        if job.get("allow_failure") is True:
            problem(where, "allow_failure: true: a failed threshold would not fail the pipeline")
        art = job.get("artifacts") or {}
        if art.get("when") != "always":
            problem(where, "artifacts need when: always: the results would be lost exactly when a threshold fails")
        reports = (art.get("reports") or {}).get("junit")
        if junit not in ([reports] if isinstance(reports, str) else reports or []):
            problem(where, f"artifacts:reports:junit does not name {junit}")
        if results not in {p.rstrip("/") for p in art.get("paths") or []}:
            problem(where, f"artifacts:paths does not keep {results}/, where report.html is")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: check_ci_recipes.py SHELLCHECK DIR")
    shellcheck_bin, root = sys.argv[1:]
    check_github(os.path.join(root, "github-actions.yml"))
    check_gitlab(shellcheck_bin, os.path.join(root, "gitlab-ci.yml"))
    for p in problems:
        print(f"check-deploy: {root}/{p}", file=sys.stderr)
    sys.exit(1 if problems else 0)
