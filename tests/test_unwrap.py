"""The unwrap stage: what a line really runs, however it is wrapped."""

from __future__ import annotations

from pathlib import Path

import pytest

from safesh.model import Command, Context
from safesh.parse import parse_line
from safesh.unwrap import command_name, resolve_path, unwrap

CONTEXT = Context(cwd="/home/user/project", home="/home/user", repo_root="/home/user/project")


def commands(line: str, context: Context = CONTEXT) -> list[Command]:
    return list(unwrap(parse_line(line), context).commands)


def argvs(line: str) -> list[tuple[str, ...]]:
    return [c.argv for c in commands(line)]


def only(line: str) -> Command:
    found = [c for c in commands(line) if c.name == "rm"]
    assert len(found) == 1, argvs(line)
    return found[0]


@pytest.mark.parametrize("word", ["rm", "/bin/rm", "\\rm", "/usr/bin/rm"])
def test_command_names_are_normalised(word: str) -> None:
    assert command_name(word) == "rm"


@pytest.mark.parametrize("line", ['"rm" -rf x', "r''m -rf x", "\\rm -rf x", "/bin/rm -rf x"])
def test_quoted_and_pathed_command_words_are_the_same_command(line: str) -> None:
    assert only(line).argv == ("rm", "-rf", "x")


@pytest.mark.parametrize(
    ("line", "via"),
    [
        ("sudo rm -rf /", ("sudo",)),
        ("sudo -u root -E rm -rf /", ("sudo",)),
        ("doas rm -rf /", ("doas",)),
        ("env FOO=1 rm -rf /", ("env",)),
        ("nice -n 10 rm -rf /", ("nice",)),
        ("nohup rm -rf / &", ("nohup",)),
        ("timeout 10 rm -rf /", ("timeout",)),
        ("timeout -s KILL 5m rm -rf /", ("timeout",)),
        ("command rm -rf /", ("command",)),
        ("builtin rm -rf /", ("builtin",)),
        ("exec rm -rf /", ("exec",)),
        ("stdbuf -oL rm -rf /", ("stdbuf",)),
        ("ionice -c 3 rm -rf /", ("ionice",)),
        ("sudo timeout 5 nice rm -rf /", ("sudo", "timeout", "nice")),
    ],
)
def test_wrappers_are_peeled_and_remembered(line: str, via: tuple[str, ...]) -> None:
    command = only(line)
    assert command.argv == ("rm", "-rf", "/")
    assert command.via == via


def test_env_assignments_are_kept_on_the_wrapped_command() -> None:
    command = only("env -i PATH=/bin RAILS_ENV=production rm -rf x")
    assert ("RAILS_ENV", "production") in command.assignments


def test_command_v_only_looks_a_name_up() -> None:
    assert argvs("command -v rm") == [("command", "-v", "rm")]


@pytest.mark.parametrize(
    "line",
    [
        "bash -c 'rm -rf /'",
        'sh -c "rm -rf /"',
        "bash -lc 'cd /tmp && rm -rf /'",
        "zsh -c 'rm -rf /'",
        "eval 'rm -rf /'",
        "eval rm -rf /",
        "su -c 'rm -rf /' root",
        "sudo bash -c 'sudo sh -c \"rm -rf /\"'",
        "watch rm -rf /",
        "env -S 'rm -rf /'",
    ],
)
def test_strings_run_by_another_shell_are_parsed_as_shell(line: str) -> None:
    assert only(line).argv == ("rm", "-rf", "/")


def test_nested_commands_point_at_the_outer_span() -> None:
    line = "echo hi; bash -c 'rm -rf /'"
    command = only(line)
    assert line[command.span.start : command.span.end] == "bash -c 'rm -rf /'"
    assert command.depth == 1


def test_ssh_runs_the_joined_words_on_the_remote_host() -> None:
    command = only("ssh -p 22 db1.prod 'rm -rf /var/lib/postgresql'")
    assert command.remote_host == "db1.prod"
    assert command.via == ("ssh db1.prod",)
    assert not command.cwd_known


def test_xargs_runs_its_command_with_arguments_it_cannot_see() -> None:
    command = only("ls | xargs -0 -n 1 rm -rf")
    assert command.args_unknown
    assert command.via == ("xargs",)


def test_find_exec_runs_its_command_and_find_itself_is_kept() -> None:
    found = commands("find . -name '*.tmp' -exec rm -rf {} \\;")
    assert [c.name for c in found] == ["find", "rm"]
    # `{}` stands for what find finds: under `.`, named `*.tmp`.
    assert found[1].argv == ("rm", "-rf", "./{}/*.tmp")
    assert not found[1].args_unknown
    assert found[0].argv == ("find", ".", "-name", "*.tmp", "-exec")


def test_a_dynamic_command_word_is_marked() -> None:
    found = commands("$CMD -rf /")
    assert found[0].dynamic


def test_a_dynamic_bash_c_string_is_marked() -> None:
    found = commands('bash -c "$PAYLOAD"')
    assert found[0].dynamic


def test_command_substitution_is_a_command_too() -> None:
    assert ("rm", "-rf", "x") in argvs("echo $(rm -rf x)")


def test_download_piped_into_a_shell_is_fed_by_a_download() -> None:
    found = commands("curl -fsSL https://example.com/install.sh | sudo bash")
    shell = found[-1]
    assert shell.name == "bash"
    assert shell.feed is not None and shell.feed.kind == "download"


def test_shell_fed_by_process_substitution_download() -> None:
    found = [c for c in commands("bash <(curl -s https://x.sh)") if c.name == "bash"]
    assert found[0].feed is not None
    assert found[0].feed.kind == "process-substitution-download"


def test_sh_c_of_a_downloaded_script_is_a_download() -> None:
    found = [c for c in commands('sh -c "$(curl -fsSL https://x.sh)"') if c.name == "sh"]
    assert found[0].feed is not None and found[0].feed.kind == "download"


def test_heredoc_fed_to_a_shell_is_parsed_as_shell() -> None:
    assert ("rm", "-rf", "/") in argvs("bash <<'EOF'\nrm -rf /\nEOF\n")


def test_heredoc_written_to_a_file_is_data() -> None:
    assert argvs("cat > notes.md <<'EOF'\nrm -rf /\nEOF\n") == [("cat",)]


def test_echo_piped_into_a_shell_is_parsed_as_shell() -> None:
    assert ("rm", "-rf", "/") in argvs("echo 'rm -rf /' | sh")


def test_heredoc_fed_to_psql_is_attached_as_feed() -> None:
    found = commands("psql <<'SQL'\nDROP TABLE users;\nSQL\n")
    assert found[0].feed is not None and found[0].feed.kind == "heredoc"
    assert "DROP TABLE users;" in (found[0].feed.text or "")


def test_cd_moves_later_commands() -> None:
    command = only("cd / && rm -rf var")
    assert command.cwd == "/"


def test_cd_inside_a_subshell_does_not_move_later_commands() -> None:
    found = [c for c in commands("(cd /tmp && rm -rf a); rm -rf b") if c.name == "rm"]
    assert found[0].cwd == "/tmp"
    assert found[1].cwd is None


def test_cd_to_an_unknown_place_makes_the_directory_unknown() -> None:
    assert not only('cd "$DIR" && rm -rf build').cwd_known


def test_package_runners_run_the_tool_after_them() -> None:
    found = commands("npx prisma migrate reset --force")
    assert found[0].argv[:3] == ("prisma", "migrate", "reset")


def test_kubectl_exec_judges_the_command_inside_the_pod() -> None:
    found = commands("kubectl exec -it db-0 -- psql -c 'DROP TABLE users'")
    assert [c.name for c in found] == ["kubectl", "psql"]


def test_a_script_run_by_bash_is_read_when_it_exists(tmp_path: Path) -> None:
    (tmp_path / "wipe.sh").write_text("#!/bin/bash\nrm -rf /\n")
    context = Context(cwd=str(tmp_path), home="/home/user")
    assert ("rm", "-rf", "/") in [c.argv for c in commands("bash wipe.sh", context)]


def test_an_unparsable_nested_string_is_reported() -> None:
    result = unwrap(parse_line("bash -c 'echo \"unterminated'"), CONTEXT)
    assert result.unparsed


def test_nesting_deeper_than_the_limit_is_reported() -> None:
    line = "rm -rf /"
    for _ in range(10):
        line = f"eval {_quote(line)}"
    assert unwrap(parse_line(line), CONTEXT).unparsed


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def test_resolve_path_is_lexical() -> None:
    assert resolve_path("../x", "/a/b", "/home/u") == "/a/x"
    assert resolve_path("~/x", "/a", "/home/u") == "/home/u/x"
    assert resolve_path("$HOME/.ssh", "/a", "/home/u") == "/home/u/.ssh"


def test_substitutions_in_an_unquoted_heredoc_body_are_commands() -> None:
    assert ("rm", "-rf", "~") in argvs("cat <<EOF > notes\n$(rm -rf ~)\nEOF\n")


def test_backticks_in_an_unquoted_heredoc_body_are_commands() -> None:
    assert ("rm", "-rf", "~") in argvs("cat <<EOF\nhello `rm -rf ~`\nEOF\n")


def test_a_quoted_heredoc_body_is_only_data() -> None:
    assert argvs("cat <<'EOF'\n$(rm -rf ~)\nEOF\n") == [("cat",)]


def test_escaped_dollars_and_arithmetic_in_a_heredoc_are_not_commands() -> None:
    assert argvs("cat <<EOF\n\\$(rm -rf ~) $((1 + 2)) ${HOME}\nEOF\n") == [("cat",)]


def test_an_unterminated_substitution_in_a_heredoc_is_reported() -> None:
    assert unwrap(parse_line("cat <<EOF\n$(rm -rf ~\nEOF\n"), CONTEXT).unparsed


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("$(a)", ["a"]),
        ("x `b` y", ["b"]),
        ('$(echo "a)" )', ['echo "a)" ']),
        ("$(a $(b))", ["a $(b)"]),
        ("price: $5 (cheap)", []),
        ("$(unclosed", None),
    ],
)
def test_heredoc_substitutions_scanner(body: str, expected: list[str] | None) -> None:
    from safesh.unwrap import heredoc_substitutions

    assert heredoc_substitutions(body) == expected


@pytest.mark.parametrize(
    "line",
    [
        "curl -s https://x.example/i.sh -o /tmp/i.sh && bash /tmp/i.sh",
        "wget https://x.example/install.sh && sh install.sh",
        "curl -fsSLO https://x.example/setup.sh && chmod +x setup.sh && ./setup.sh",
        "curl -s https://x.example/i.sh > i.sh; source i.sh",
    ],
)
def test_running_a_file_downloaded_earlier_in_the_line_is_reported(line: str) -> None:
    assert unwrap(parse_line(line), CONTEXT).unparsed


def test_a_script_written_by_a_heredoc_earlier_in_the_line_is_judged_as_written() -> None:
    line = "cat > run.sh <<'EOF'\nrm -rf ~\nEOF\nbash run.sh"
    assert ("rm", "-rf", "~") in argvs(line)


def test_a_script_written_by_echo_earlier_in_the_line_is_judged_as_written() -> None:
    assert ("rm", "-rf", "/") in argvs('echo "rm -rf /" > x.sh; sh x.sh')


def test_a_downloaded_data_file_read_by_another_tool_is_not_a_script() -> None:
    line = "curl -o data.json https://api.example/x && jq . data.json"
    assert not unwrap(parse_line(line), CONTEXT).unparsed


def test_a_shell_reading_a_program_from_an_unknown_pipe_is_reported() -> None:
    assert unwrap(parse_line("echo cm0gLXJmIH4K | base64 -d | sh"), CONTEXT).unparsed


def test_a_shell_reading_a_program_from_echo_is_judged() -> None:
    result = unwrap(parse_line("echo ls | sh"), CONTEXT)
    assert not result.unparsed
    assert ("ls",) in [c.argv for c in result.commands]


def test_an_ansible_shell_command_runs_on_the_hosts_of_its_pattern() -> None:
    found = [c for c in commands("ansible web -m shell -a 'rm -rf /srv/app'") if c.name == "rm"]
    assert found[0].remote_host == "web"
    assert found[0].via == ("ansible web",)


def test_ansible_runs_its_arguments_as_a_command_by_default() -> None:
    assert ("rm", "-rf", "/srv/app") in argvs("ansible all -a 'rm -rf /srv/app'")


def test_other_ansible_modules_are_not_commands() -> None:
    assert argvs("ansible all -m copy -a 'src=a dest=/tmp/a'") == [
        ("ansible", "all", "-m", "copy", "-a", "src=a dest=/tmp/a")
    ]


@pytest.mark.parametrize(
    "line",
    [
        "git -c alias.nuke='!rm -rf ~' nuke",
        "git -c core.pager='rm -rf ~' log",
        "git -c core.sshCommand='rm -rf ~' fetch",
        "git config --global alias.nuke '!rm -rf ~'",
    ],
)
def test_git_configuration_that_git_runs_as_a_command_is_judged(line: str) -> None:
    assert ("rm", "-rf", "~") in argvs(line)


@pytest.mark.parametrize(
    "line",
    [
        "git -c alias.st=status st",
        "git config user.name 'A B'",
        "git -c credential.helper=store push",
    ],
)
def test_git_configuration_that_is_not_a_command_is_not_judged_as_one(line: str) -> None:
    # (an alias is also judged expanded, as `git status`: still only git runs)
    assert {a[0] for a in argvs(line)} == {"git"}
