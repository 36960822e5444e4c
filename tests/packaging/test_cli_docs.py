#!/usr/bin/env python3
"""The man pages and bash completion that packaging/linux/make-cli-docs.py writes agree with the
programs' own help: every option of every scns subcommand is in scns(1), every workbench option
in scns-workbench(1), and the completion offers each choice setting's allowed words, every
setting key after --set, and files after --config.

    test_cli_docs.py SCNS SCNS_WORKBENCH MAKE_CLI_DOCS
"""
import gzip
import os
import re
import subprocess
import sys
import tempfile

scns, workbench, generator = sys.argv[1:4]
failures = []


def check(ok, message):
    if not ok:
        failures.append(message)


def run(argv):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run(argv, capture_output=True, text=True, check=True, env=env).stdout


def option_names(help_text):
    """The long options a help text defines (its option column, not its descriptions)."""
    return {n for spec in re.findall(r"^  (-\S+(?:, -\S+)?)", help_text, re.M)
            for n in re.split(r",\s*", spec) if n.startswith("--")}


def valued_flags(help_text):
    """Long options that take a value ("--epochs INT")."""
    return set(re.findall(r"^  (?:-\w,)?(--[a-z0-9-]+) [A-Z]", help_text, re.M))


with tempfile.TemporaryDirectory() as out:
    subprocess.run([sys.executable, generator, "--scns", scns, "--workbench", workbench,
                    "--out", out, "--version", "test"], check=True)
    page = gzip.open(os.path.join(out, "scns.1.gz"), "rt").read().replace("\\-", "-")
    wb_page = gzip.open(os.path.join(out, "scns-workbench.1.gz"), "rt").read().replace("\\-", "-")
    completion = os.path.join(out, "scns.bash-completion")
    check(subprocess.run(["bash", "-n", completion]).returncode == 0, "completion: bash -n fails")

    commands = re.findall(r"^  ([a-z-]+) {2,}", run([scns, "--help"]).split("Subcommands:")[1], re.M)
    check(len(commands) >= 9, f"scns --help lists {len(commands)} subcommands")
    for cmd in commands:
        check(f'.SS "scns {cmd}"' in page, f"scns(1) has no section for 'scns {cmd}'")
        section = page.split(f'.SS "scns {cmd}"')[-1].split(".SS")[0]
        for opt in option_names(run([scns, cmd, "--help"])) - {"--help"}:
            check(f"\\fB{opt}\\fR" in section, f"scns(1), 'scns {cmd}': option {opt} is missing")
    for opt in option_names(run([workbench, "--help"])):
        check(f"\\fB{opt}\\fR" in wb_page, f"scns-workbench(1): option {opt} is missing")

    def complete(*words):
        script = (f'source "{completion}"; COMP_WORDS=({" ".join(repr(w) for w in words)}); '
                  'COMP_CWORD=$((${#COMP_WORDS[@]}-1)); _scns_complete; printf "%s\\n" "${COMPREPLY[@]}"')
        return [w for w in run(["bash", "-c", script]).split("\n") if w]

    # Every choice setting with a flag: the completion offers exactly its allowed words (the
    # sampler also offers "none", which switches the contrastive term off).
    settings = run([scns, "settings"])
    takes_value = valued_flags(run([scns, "train", "--help"]))
    for key, flag, allowed in re.findall(r"^  ([a-z0-9_.]+) = .*?\(([-a-z0-9]+)\)\n(?:      .*\n)*?      allowed: (.*)$",
                                         settings, re.M):
        if flag not in takes_value or ("," not in allowed and " or " not in allowed):
            continue
        words = re.split(r", | or ", allowed)
        if not all(re.fullmatch(r"[a-z0-9+._-]+", w) for w in words):
            continue  # not a list of words (e.g. "cpu, cuda or cuda:N")
        expected = (["none"] if key == "contrastive.sampler" else []) + words
        got = complete("scns", "train", flag, "")
        check(got == expected, f"completion of 'scns train {flag}' ({key}): {got}, expected {expected}")

    keys = re.findall(r"^  ([a-z0-9_.]+) = ", settings, re.M)
    got = complete("scns", "train", "--set", "")
    check(got == [k + "=" for k in keys], f"completion after --set offers {len(got)} of {len(keys)} keys")
    check(complete("scns", "settings", "contrastive.class.k")[:1] == ["contrastive.class.k"],
          "completion of 'scns settings contrastive.class.k' misses the key")
    check(complete("scns", "tr") == ["train"], "completion of 'scns tr' is not 'train'")
    with tempfile.TemporaryDirectory() as d:
        open(os.path.join(d, "run.json"), "w").close()
        check(complete("scns", "train", "--config", os.path.join(d, "ru")) == [os.path.join(d, "run.json")],
              "completion after --config offers no file names")

for f in failures:
    print("FAIL:", f)
print(f"{len(failures)} failure(s)")
sys.exit(1 if failures else 0)
