#!/usr/bin/env python3
"""Runs the commands in README.md's code blocks, so that the README cannot drift from what works.

  ```sh       each block runs with bash (errexit, pipefail) from the repository root
  ```console  each "$ command" runs with bash in a scratch directory, with --bin DIR first
              on PATH; its output (stdout, then stderr) must be the lines the README shows
              under it, once the timings ("0.002 s (3941 numbers/s)", "seconds":...) and the
              worker count (which depends on the machine's cores) are masked

A block preceded by <!-- ci:readme-commands:begin --> is run by .ci/run's readme stages
instead; one preceded by <!-- ci:not-run: REASON --> is skipped, and REASON is printed.
Other languages (cpp, cmake, text) are not commands: the quick example is held to
examples/quickstart.cpp by asyncjobs.example.readme_in_sync.

  scripts/check-readme-commands.py --bin build/release/apps/factorize            # all
  scripts/check-readme-commands.py --bin build/release/apps/factorize --console-only
Exit status 1 when a command fails or prints something else than the README says.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def blocks(text):
    """Yields (line number, language, marker, lines) for each fenced block."""
    lines = text.splitlines()
    marker = None
    i = 0
    while i < len(lines):
        line = lines[i]
        m = re.match(r"<!-- (ci:[a-z-]+)(?::begin)?(?::\s*(.*?))?\s*-->", line.strip())
        if m:
            marker = (m.group(1), m.group(2) or "")
        elif line.startswith("```"):
            lang = line[3:].strip()
            start = i + 1
            body = []
            i += 1
            while i < len(lines) and not lines[i].startswith("```"):
                body.append(lines[i])
                i += 1
            yield start, lang, marker, body
            marker = None
        elif line.strip():
            marker = None
        i += 1


def mask(line):
    line = re.sub(r"in [0-9.]+ s \([0-9]+ numbers/s\)", "in <time>", line)
    line = re.sub(r'"seconds":[-+0-9.eE]+', '"seconds":<time>', line)
    line = re.sub(r'"workers":[0-9]+', '"workers":<n>', line)
    line = re.sub(r"(threads|processes) x[0-9]+,", r"\1 x<n>,", line)
    return line.rstrip()


def run_sh(start, body):
    script = "\n".join(body)
    print(f"README.md:{start}: sh block\n{script}", flush=True)
    rc = subprocess.run(["bash", "-euxo", "pipefail", "-c", script], cwd=ROOT).returncode
    if rc != 0:
        print(f"README.md:{start}: FAILED with exit status {rc}")
    return rc == 0


def run_console(start, body, bin_dir):
    env = dict(os.environ)
    env["PATH"] = os.path.abspath(bin_dir) + os.pathsep + env.get("PATH", "")
    ok = True
    commands = []  # (line number, command, expected lines)
    for offset, line in enumerate(body):
        if line.startswith("$ "):
            commands.append((start + offset, line[2:], []))
        elif commands:
            commands[-1][2].append(line)
    with tempfile.TemporaryDirectory() as scratch:
        for number, command, expected in commands:
            done = subprocess.run(["bash", "-c", command], cwd=scratch, env=env,
                                  stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300)
            got = [mask(l) for l in (done.stdout + done.stderr).splitlines()]
            want = [mask(l) for l in expected]
            if got == want:
                print(f"README.md:{number}: ok (exit status {done.returncode}): $ {command}")
            else:
                ok = False
                print(f"README.md:{number}: $ {command}\n  the README shows:")
                print("".join(f"    {l}\n" for l in want), end="")
                print(f"  it prints (exit status {done.returncode}):")
                print("".join(f"    {l}\n" for l in got), end="")
    return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", required=True, help="directory of the factorize program (for console blocks)")
    parser.add_argument("--console-only", action="store_true", help="skip the sh blocks (they configure and build)")
    parser.add_argument("--readme", default=os.path.join(ROOT, "README.md"))
    args = parser.parse_args()
    with open(args.readme, encoding="utf-8") as f:
        text = f.read()
    failures = 0
    for start, lang, marker, body in blocks(text):
        if lang not in ("sh", "console"):
            continue
        if marker and marker[0] == "ci:readme-commands":
            print(f"README.md:{start}: {lang} block run by .ci/run (readme stages)")
            continue
        if marker and marker[0] == "ci:not-run":
            print(f"README.md:{start}: {lang} block not run: {marker[1]}")
            continue
        if lang == "sh" and args.console_only:
            print(f"README.md:{start}: sh block skipped (--console-only)")
            continue
        good = run_sh(start, body) if lang == "sh" else run_console(start, body, args.bin)
        failures += 0 if good else 1
    print(f"check-readme-commands: {'all blocks ok' if not failures else f'{failures} block(s) failed'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
