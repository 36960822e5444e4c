#!/usr/bin/env python3
"""Writes the man pages of scns and scns-workbench and scns's bash completion from the
programs' own help, so they can never disagree with it (cmake/Packaging.cmake runs this after
the build; the .deb packages install the results).

    make-cli-docs.py --scns BIN [--workbench BIN] --out DIR [--version V]

Writes DIR/scns.1.gz, DIR/scns-workbench.1.gz (with --workbench) and DIR/scns.bash-completion.
The help is CLI11's (scns, one page per subcommand) and QCommandLineParser's (scns-workbench).
The gzip files carry no time stamp, so a rebuild gives identical bytes.
"""
import argparse
import gzip
import os
import re
import subprocess
import sys


def run_help(argv):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", COLUMNS="200")
    done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)
    if done.returncode != 0:
        sys.exit(f"make-cli-docs: {' '.join(argv)} exited with {done.returncode}: {done.stderr.strip()}")
    return done.stdout


class Option:
    def __init__(self, names, value, description):
        self.names = names          # ["-c", "--config"]
        self.value = value          # "TEXT", "INT ...", "" for a flag
        self.description = description

    def choices(self):
        """The allowed words when the help lists them ("[a | b | c]", or "a | b | c" first
        in the description) or the option is a BOOL."""
        if self.value.split(" ")[0] in ("BOOL", "BOOLEAN"):
            return ["true", "false"]
        words = r"([\w.+:-]+(?: \| [\w.+:-]+)+)"
        m = re.search(r"\[" + words + r"\]", self.description) or re.search(r"(?:^|: )" + words, self.description)
        if not m:
            return []
        return [w for w in m.group(1).split(" | ") if not re.search(r"[A-Z]", w)]


def parse_cli11(text):
    """CLI11 help: description lines, "Usage:", then sections ("Options:", "Subcommands:", ...)."""
    description, sections, section = [], {}, None
    for line in text.splitlines():
        if line.startswith("Usage:"):
            section = "usage"
            continue
        if line and not line.startswith(" ") and line.endswith(":"):
            section = line[:-1]
            sections[section] = []
            continue
        if section is None:
            if line.strip():
                description.append(line.strip())
        elif section != "usage" and line.startswith("  ") and line.strip():
            m = re.match(r"^  (\S.*?)(?: {2,}(\S.*))?$", line)
            if m:
                sections[section].append((m.group(1), m.group(2) or ""))
            elif sections[section]:  # a description on its own line(s), below a long option
                spec, desc = sections[section][-1]
                sections[section][-1] = (spec, (desc + " " + line.strip()).strip())
    return description, sections


def to_options(rows):
    out = []
    for spec, desc in rows:
        words = spec.split(" ", 1)
        names = words[0].split(",")
        value = words[1] if len(words) > 1 else ""
        out.append(Option(names, value, desc))
    return out


def roff(text):
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\\&" + text if text[:1] in (".", "'") else text


def option_item(opt):
    names = ", ".join(f"\\fB{roff(n)}\\fR" for n in opt.names)
    value = f" \\fI{roff(opt.value)}\\fR" if opt.value else ""
    return f".TP\n{names}{value}\n{roff(opt.description or ' ')}\n"


def scns_docs(binary, version):
    top = run_help([binary, "--help"])
    description, sections = parse_cli11(top)
    commands = []
    for name, summary in sections.get("Subcommands", []):
        sub_desc, sub_sections = parse_cli11(run_help([binary, name, "--help"]))
        commands.append((name, summary, sub_sections))
    settings = run_help([binary, "settings"])
    keys = re.findall(r"^  ([a-z0-9_]+(?:\.[a-z0-9_]+)*) = ", settings, re.M)
    if not commands or not keys:
        sys.exit(f"make-cli-docs: {binary}'s help lists no subcommands or no settings; is it scns?")

    page = [f'.TH SCNS 1 "" "scns {roff(version)}" "User Commands"\n',
            ".SH NAME\nscns \\- contrastive learning with semantically-conditioned negative sampling\n",
            ".SH SYNOPSIS\n\\fBscns\\fR [\\fB\\-\\-db\\fR \\fIFILE\\fR] \\fICOMMAND\\fR [\\fIOPTIONS\\fR]\n",
            ".SH DESCRIPTION\n", "".join(roff(d) + "\n.br\n" for d in description),
            "Every run setting is described by \\fBscns settings\\fR [\\fIKEY\\fR]; "
            "\\fBscns train \\-\\-set\\fR \\fIKEY\\fR=\\fIVALUE\\fR sets any of them.\n",
            ".SH OPTIONS\n"]
    page += [option_item(o) for o in to_options(sections.get("Options", []))]
    page.append(".SH COMMANDS\n")
    for name, summary, sub in commands:
        page.append(f'.SS "scns {roff(name)}"\n{roff(summary)}\n')
        for title, rows in sub.items():
            if title == "Options":
                page += [option_item(o) for o in to_options(rows) if "--help" not in o.names]
            elif title == "Positionals":
                page += [f".TP\n\\fI{roff(spec.split(' ')[0])}\\fR\n{roff(desc)}\n" for spec, desc in rows]
    page.append(".SH ENVIRONMENT\n"
                ".TP\n\\fBSCNS_DB\\fR\nThe run store used when \\fB\\-\\-db\\fR is not given.\n"
                ".TP\n\\fBSCNS_RESOURCE_DIR\\fR\nA folder holding wordnet/ class tables, searched first.\n"
                ".TP\n\\fBSCNS_WORDNET_DIR\\fR\nWordNet's dict folder (default /usr/share/wordnet).\n")
    page.append(".SH FILES\n"
                ".TP\n\\fI~/.local/share/scns\\-workbench/runs.sqlite\\fR\nThe default run store.\n"
                ".TP\n\\fI/usr/share/datasets/fashion\\-mnist\\fR\nThe embedded default data set "
                "(Debian's dataset\\-fashion\\-mnist).\n")
    page.append(".SH SEE ALSO\n\\fBscns\\-workbench\\fR(1)\n")
    return "".join(page), completion(commands, to_options(sections.get("Options", [])), keys)


def completion(commands, global_options, keys):
    """A bash completion script: subcommands, each one's options, the words an option allows,
    file names for the others that take a value, and setting keys for --set and settings."""
    lines = ["# bash completion for scns, generated from its --help by packaging/linux/make-cli-docs.py",
             "_scns_complete() {",
             "  COMPREPLY=()",
             "  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} cmd= i",
             "  for ((i = 1; i < COMP_CWORD; i++)); do",
             "    case ${COMP_WORDS[i]} in",
             "      --db) ((i++)) ;;",
             "      -*) ;;",
             "      *) cmd=${COMP_WORDS[i]}; break ;;",
             "    esac",
             "  done",
             f"  local keys='{' '.join(keys)}'",
             '  case "$cmd:$prev" in']
    def arms(cmd, options):
        out = []
        for o in options:
            if not o.value:
                continue
            pattern = "|".join(f"{cmd}:{n}" for n in o.names)
            words = o.choices()
            if "--set" in o.names:
                out.append(f'    {pattern}) compopt -o nospace 2>/dev/null; '
                           'COMPREPLY=($(compgen -W "$keys" -S = -- "$cur")); return ;;')
            elif words:
                out.append(f'    {pattern}) COMPREPLY=($(compgen -W "{" ".join(words)}" -- "$cur")); return ;;')
            elif o.value.startswith(("FILE", "DIR", "PATH")) or (
                    o.value.startswith("TEXT") and re.search(
                        r"config|dir|file|db|weights|teacher|out|predictions|inputs|experiment|-o$",
                        " ".join(o.names))):
                out.append(f'    {pattern}) COMPREPLY=($(compgen -f -- "$cur")); return ;;')
            else:
                out.append(f"    {pattern}) return ;;")
        return out
    lines += arms("", global_options)
    for name, _, sub in commands:
        lines += arms(name, to_options(sub.get("Options", [])))
    lines.append("  esac")
    lines.append('  case "$cmd" in')
    lines.append(f'    "") COMPREPLY=($(compgen -W "{" ".join(n for n, _, _ in commands)} '
                 f'{" ".join(n for o in global_options for n in o.names)}" -- "$cur")); return ;;')
    for name, _, sub in commands:
        opts = " ".join(n for o in to_options(sub.get("Options", [])) for n in o.names)
        positional = ' $keys' if name == "settings" else ""
        lines.append(f'    {name}) if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "{opts}" -- "$cur")); '
                     f'else COMPREPLY=($(compgen -W "{positional.strip()}" -- "$cur")); '
                     f'[[ -n "{positional.strip()}" ]] || COMPREPLY=($(compgen -f -- "$cur")); fi ;;')
    lines += ["  esac", "}", "complete -F _scns_complete scns", ""]
    return "\n".join(lines)


def workbench_page(binary, version):
    text = run_help([binary, "--help"])
    description = []
    options = []
    section = None
    for line in text.splitlines():
        if line.startswith("Usage:"):
            continue
        if line.endswith(":") and not line.startswith(" "):
            section = line[:-1]
            continue
        if section is None and line.strip():
            description.append(line.strip())
        elif section == "Options" and line.strip():
            m = re.match(r"^  (\S.*?)(?: {2,}(\S.*))?$", line)
            if m and m.group(1).startswith("-"):
                spec = m.group(1)
                value = re.search(r"<(\w+)>", spec)
                names = [n.split(" ")[0].split("=")[0] for n in spec.split(", ")]
                options.append(Option(names, value.group(1) if value else "", m.group(2) or ""))
            elif options:
                options[-1].description += " " + line.strip()
    if not options:
        sys.exit(f"make-cli-docs: {binary} --help lists no options; is it scns-workbench?")
    page = [f'.TH SCNS\\-WORKBENCH 1 "" "scns\\-workbench {roff(version)}" "User Commands"\n',
            ".SH NAME\nscns\\-workbench \\- desktop workbench for contrastive learning with "
            "semantically-conditioned negative sampling\n",
            ".SH SYNOPSIS\n\\fBscns\\-workbench\\fR [\\fB\\-\\-db\\fR \\fIFILE\\fR] "
            "[\\fB\\-\\-screenshots\\fR \\fIDIR\\fR]\n",
            ".SH DESCRIPTION\n", "".join(roff(d) + "\n" for d in description),
            ".PP\nConfigure negative samplers and distillation, launch training runs in the "
            "background, watch loss and accuracy live, inspect the class similarity matrix and the "
            "negatives drawn, and compare saved experiments. Runs are kept in the same store as "
            "\\fBscns\\fR(1) uses.\n",
            ".SH OPTIONS\n"]
    page += [option_item(o) for o in options]
    page.append(".SH SEE ALSO\n\\fBscns\\fR(1)\n")
    return "".join(page)


def write_gzip(path, text):
    with open(path, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", compresslevel=9, fileobj=raw, mtime=0) as z:
            z.write(text.encode())


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scns", required=True)
    ap.add_argument("--workbench")
    ap.add_argument("--out", required=True)
    ap.add_argument("--version", default="")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    page, bash = scns_docs(args.scns, args.version)
    write_gzip(os.path.join(args.out, "scns.1.gz"), page)
    with open(os.path.join(args.out, "scns.bash-completion"), "w") as f:
        f.write(bash)
    if args.workbench:
        write_gzip(os.path.join(args.out, "scns-workbench.1.gz"), workbench_page(args.workbench, args.version))


if __name__ == "__main__":
    main()
