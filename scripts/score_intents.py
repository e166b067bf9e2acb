#!/usr/bin/env python3
"""Per-class scores of the offline planner on an intent corpus.

usage: scripts/score_intents.py BIN CASES.jsonl [--show] [--class NAME]

Runs `BIN plan --offline --output json PROMPT` for each case and scores it with the same
rules as the shared scorer (tools in order; listed arguments equal, strings case-insensitive,
paths without `./` or a trailing `/`, values files by basename; an empty expectation means
nothing may be planned). Prints one line per `class` (cases without one count as
"unclassified"), then the overall score. With --show, each miss is printed.
"""
import json
import os
import subprocess
import sys
from collections import defaultdict


def norm(value):
    if isinstance(value, str):
        value = value.strip().lower()
        while value.startswith("./") and len(value) > 2:
            value = value[2:]
        if len(value) > 1:
            value = value.rstrip("/")
        return value
    return value


def arg_ok(want, got):
    if isinstance(want, list):
        got = got if isinstance(got, list) else [got]
        return [str(norm(x)).split("/")[-1] for x in want] == [str(norm(x)).split("/")[-1] for x in got]
    if isinstance(want, dict):
        return isinstance(got, dict) and all(norm(str(got.get(k))) == norm(str(v)) for k, v in want.items())
    if isinstance(want, (bool, int)):
        return got == want or str(got).lower() == str(want).lower()
    return norm(want) == norm(got if got is not None else "")


def check(expect, steps):
    if len(expect) != len(steps):
        return False
    for want, got in zip(expect, steps):
        if got.get("tool") != want["tool"]:
            return False
        args = got.get("args") or {}
        if any(key not in args or not arg_ok(value, args[key]) for key, value in want["args"].items()):
            return False
    return True


def main():
    if len(sys.argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    binary, cases = sys.argv[1], sys.argv[2]
    show = "--show" in sys.argv
    only = sys.argv[sys.argv.index("--class") + 1] if "--class" in sys.argv else None
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/tmp/score-home", "NO_COLOR": "1"}
    scores = defaultdict(lambda: [0, 0])
    with open(cases, encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            case = json.loads(line)
            klass = case.get("class", "unclassified")
            if only and klass != only:
                continue
            run = subprocess.run([binary, "plan", "--offline", "--output", "json", case["prompt"]],
                                 capture_output=True, text=True, timeout=20, env=env)
            try:
                out = json.loads(run.stdout) if run.stdout.strip() else {}
            except json.JSONDecodeError:
                out = {}
            steps = out.get("steps", []) if isinstance(out, dict) else []
            scores[klass][1] += 1
            if check(case["expect"], steps):
                scores[klass][0] += 1
            elif show:
                got = [{"tool": s.get("tool"), "args": s.get("args")} for s in steps]
                note = out.get("clarify") or out.get("message") or ""
                print(f"MISS [{klass}] {case['prompt']!r}\n  want {json.dumps(case['expect'])}\n"
                      f"  got  {json.dumps(got)} {note[:100]}")
    ok = sum(s[0] for s in scores.values())
    total = sum(s[1] for s in scores.values())
    for klass in sorted(scores):
        passed, count = scores[klass]
        print(f"{klass:16} {passed:3}/{count:<3} {100 * passed / count:5.1f}%")
    print(f"{'overall':16} {ok:3}/{total:<3} {100 * ok / max(total, 1):5.1f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
