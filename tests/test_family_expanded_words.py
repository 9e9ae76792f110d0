"""Family: a program named by what bash expands before it looks the program up, and sed
scripts that run commands. `{rm,-rf,~}` is the three words `rm -rf ~`; `/bin/r[m]` and
`/???/r?` name a program only the filesystem knows; `$(which rm)` is rm; sed's `e` command and
`s///e` flag run shell commands, and `w FILE` writes one.

Each pair is (a destructive form, its benign twin), judged with the built-in rules.
"""

from __future__ import annotations

import pytest
from judgekit import stops

from safesh.rules.sedprogram import sed_acts, sed_scripts
from safesh.unwrap.command_word import brace_words, has_glob, which_name

PAIRS = [
    # brace expansion in the command word
    ("{git,push,--force,origin,main}", "{git,push,origin,main}"),
    ("{shred,-u,/home/user/.ssh/id_rsa}", "{shred,--help}"),
    ("r{m,} -rf /srv", "{ls,-la} /srv"),
    ("{mk,}fs.ext4 /dev/sdb1", "{echo,mkfs.ext4} /dev/sdb1"),
    # a pattern in the command word
    ("/usr/bin/sh?ed -u /home/user/.ssh/id_rsa", "/usr/bin/shred --version"),
    ("/b*/dd if=/dev/zero of=/dev/nvme0n1", "/bin/dd if=/dev/zero of=img.bin count=1"),
    ("/usr/s[b]in/mkfs.xfs /dev/sdb", "/usr/sbin/mkfs.xfs -V"),
    # $(which NAME), `command -v NAME`
    ("$(which git) push --force origin main", "$(which git) push origin feature"),
    ('"$(command -v rm)" -rf /srv/data', '"$(command -v rm)" -rf build'),
    ("`which dd` if=/dev/zero of=/dev/sda", "`which dd` if=/dev/zero of=zero.img count=1"),
    # sed that runs or writes
    ("sed -n '1e git reset --hard' notes.txt", "sed -n '1p' notes.txt"),
    (
        "printf 'x\\n' | sed 's/x/shred -u \\/home\\/user\\/.ssh\\/id_rsa/e'",
        "printf 'x\\n' | sed 's/x/y/g'",
    ),
    ("sed 's/.*/&/w /home/user/.bashrc' new.txt", "sed 's/.*/&/w build/copy.txt' new.txt"),
    ("sed -e '$a\\' -e '/^$/W /etc/cron.d/job' in.txt", "sed -e '/^$/d' in.txt"),
]


@pytest.mark.parametrize(("destructive", "benign"), PAIRS)
def test_the_destructive_form_stops(destructive: str, benign: str) -> None:
    assert stops(destructive), destructive


@pytest.mark.parametrize(("destructive", "benign"), PAIRS)
def test_its_benign_twin_passes(destructive: str, benign: str) -> None:
    assert not stops(benign), benign


# Words that look like expansions but are not command words, or not expansions.
LOOK_ALIKES = [
    "[ -d build ] && rm -rf build",
    "[[ -n $CI ]] || echo local",
    "{ make test; } 2>&1 | tee test.log",
    "mkdir -p src/{api,models,tests}",
    "cp settings.py{,.orig}",
    "ls /usr/lib/python3*/site-packages",
    "'*' --help",
    "sed -ie 's/debug=true/debug=false/' app.ini",
    "sed -n '/begin/,/end/{p}' log.txt",
    "sed '/^$/d; s/[[:space:]]*$//' README.md",
    "sed --sandbox 's/.*/date/e' dates.txt",
]


@pytest.mark.parametrize("line", LOOK_ALIKES)
def test_look_alikes_pass(line: str) -> None:
    assert not stops(line), line


def test_a_brace_word_is_the_words_bash_makes() -> None:
    assert brace_words("{rm,-rf,~}") == ["rm", "-rf", "~"]
    assert brace_words("r{m,}") == ["rm", "r"]
    assert brace_words("a{b,c{d,e}}") == ["ab", "acd", "ace"]
    assert brace_words("rm") is None
    assert brace_words("${HOME}") is None


def test_a_brace_word_with_quotes_cannot_be_read() -> None:
    assert brace_words("{'rm',-rf,~}") == []


def test_only_unquoted_pattern_characters_make_a_pattern() -> None:
    assert has_glob("/bin/r?")
    assert has_glob("/bin/r[m]")
    assert not has_glob("'/bin/r?'")
    assert not has_glob("[")
    assert not has_glob("[[")


def test_which_names_its_program() -> None:
    assert which_name("$(which python3)") == "python3"
    assert which_name('"$(command -v node)"') == "node"
    assert which_name("$(which python3 || echo x)") is None


def test_sed_reads_its_scripts_as_gnu_sed_does() -> None:
    assert sed_scripts(["sed", "-ne", "1e id", "f"]) == ["1e id"]
    assert sed_scripts(["sed", "-ie", "s/a/b/", "f"]) == ["s/a/b/"]  # -i with suffix e
    assert sed_scripts(["sed", "--sandbox", "1e id"]) is None


def test_sed_commands_and_flags_that_act() -> None:
    assert sed_acts("2e touch x").shell == ["touch x"]
    assert sed_acts("s/a/b/w out.txt").writes == ["out.txt"]
    assert sed_acts("s/.*/&/e").unknown
    assert not sed_acts("s/e/w/g; /end/d; y/ew/we/")


# find's paths handed to a deleting program are deleted as `find … -delete` would delete them.
FOUND_AND_DELETED = [
    ("find lib -name '*.rb' | xargs rm", "find lib -name '*.rb' | xargs wc -l"),
    ("find docs -type f -print0 | xargs -0 rm -f", "find docs -type f -print0 | xargs -0 ls -l"),
    (
        "find tests -name '*.py' -exec rm -f {} \\;",
        "find tests -name '*.py' -exec grep -l TODO {} \\;",
    ),
    ("find app -name '*.ts' -execdir unlink {} \\;", "find app -name '*.ts' -execdir wc -c {} \\;"),
    ("cat old-keys.txt | xargs shred -u", "cat old-keys.txt | xargs ls -l"),
]


@pytest.mark.parametrize(("destructive", "benign"), FOUND_AND_DELETED)
def test_found_paths_deleted_stop(destructive: str, benign: str) -> None:
    assert stops(destructive), destructive


@pytest.mark.parametrize(("destructive", "benign"), FOUND_AND_DELETED)
def test_found_paths_read_pass(destructive: str, benign: str) -> None:
    assert not stops(benign), benign


# Junk and build output found and deleted pass, as with -delete.
@pytest.mark.parametrize(
    "line",
    [
        "find . -name '*.pyc' | xargs rm -f",
        "find . -name '*.pyc' -exec rm {} +",
        "find dist -type f -exec rm {} +",
        "find /tmp -maxdepth 1 -name 'pytest-*' -exec rm -f {} +",
    ],
)
def test_junk_found_and_deleted_passes(line: str) -> None:
    assert not stops(line), line


# printf's format fills in its arguments before a shell reads the text.
PRINTF_FED = [
    ("printf 'git\\x20reset --hard' | sh", "printf 'git\\x20status' | sh"),
    ("echo -e '\\x73hred -u /home/user/.ssh/id_rsa' | bash", "echo -e '\\x6cs -la' | bash"),
    ("printf '\\162\\155 -rf /srv' | sh", "printf '\\154\\163 /srv' | sh"),
    ("printf '%s\\n' 'git reset --hard' | bash", "printf '%s\\n' 'git status' | bash"),
    ("printf '%s %s' shred /home/user/.ssh/id_rsa | sh", "printf '%s %s' wc -l | sh"),
    ("printf '%b' 'rm -rf /srv\\n' | sh -s", "printf '%b' 'ls /srv\\n' | sh -s"),
]

# Variables whose value a program runs as a command line.
COMMAND_VARIABLES = [
    ("PAGER='git clean -fdx' man git", "PAGER=cat man git"),
    ("MANPAGER='rm -rf /srv' man ls", "MANPAGER='less -R' man ls"),
    ("EDITOR='shred -u /home/user/.ssh/id_rsa' crontab -e", "EDITOR=nano crontab -e"),
    ("LESSOPEN='|| rm -rf /srv %s' less notes.txt", "LESSOPEN='| lesspipe %s' less notes.txt"),
    ("env GIT_EDITOR=vim VISUAL='git push --force' git commit", "env VISUAL=vim git commit"),
]


@pytest.mark.parametrize(("destructive", "benign"), PRINTF_FED + COMMAND_VARIABLES)
def test_text_that_becomes_a_command_stops(destructive: str, benign: str) -> None:
    assert stops(destructive), destructive


@pytest.mark.parametrize(("destructive", "benign"), PRINTF_FED + COMMAND_VARIABLES)
def test_its_harmless_twin_passes(destructive: str, benign: str) -> None:
    assert not stops(benign), benign


def test_printf_assigning_to_a_variable_writes_nothing() -> None:
    assert not stops("printf -v cmd '%s' 'rm -rf /srv' | sh")
