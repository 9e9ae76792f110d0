"""Family: `ansible-playbook PLAYBOOK` runs what the playbook file says, on the play's hosts.
The playbook (and the task files and roles it names) is read when the line is judged, as a
script given to bash is, and each task is judged as the ad-hoc `ansible` line that does the
same: shell/command/raw lines as commands run on the hosts, `file: state=absent` as `rm -rf`
of the path there, another module's `state: absent` asks. A playbook that cannot be read or
parsed asks; everyday playbooks pass; `--check`, `--syntax-check` and `--list-tasks` change
nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from effects_helpers import STOPPED, explain, judge

from safesh.model import Analysis, Context, Tier

EVERYDAY = """\
- hosts: web
  become: true
  tasks:
    - name: install nginx
      apt:
        name: nginx
        state: present
    - name: remove the old package
      ansible.builtin.apt: name=apache2 state=absent
    - name: show the uptime
      command: uptime
    - name: reload
      ansible.builtin.shell: systemctl reload nginx && echo ok
    - name: a scratch file goes
      file:
        path: /tmp/build-cache
        state: absent
    - name: a template
      template: src=nginx.conf.j2 dest=/etc/nginx/nginx.conf
"""


def play(tasks: str, hosts: str = "db") -> str:
    """A playbook of one play on `hosts` with the given task list (YAML, indented by 4)."""
    return f"- hosts: {hosts}\n  tasks:\n{tasks}"


DESTRUCTIVE_TASKS = {
    "shell": "    - shell: rm -rf /srv/data\n",
    "command": "    - name: wipe\n      ansible.builtin.command: rm -rf /var/lib/postgresql\n",
    "cmd": "    - shell:\n        cmd: rm -rf /srv/data\n        chdir: /srv\n",
    "argv": "    - command:\n        argv: [rm, -rf, /srv/data]\n",
    "raw": "    - raw: dd if=/dev/zero of=/dev/sda bs=1M\n",
    "file-absent": "    - file:\n        path: /srv/data\n        state: absent\n",
    "file-free-form": "    - ansible.builtin.file: path=/var/lib/mysql state=absent\n",
    "action": "    - action: file path=/srv/data state=absent\n",
    "block": "    - block:\n        - shell: rm -rf /srv/data\n"
    "      rescue:\n        - debug: msg=x\n",
    "jinja": "    - shell: rm -rf {{ data_dir }}/*\n",
    "mount-absent": "    - ansible.posix.mount:\n        path: /data\n        state: absent\n",
    "k8s-absent": "    - kubernetes.core.k8s:\n        kind: Namespace\n        name: prod\n"
    "        state: absent\n",
    "user-absent": "    - user: name=deploy state=absent remove=yes\n",
    "push-force": "    - shell: git push --force origin main\n"
    "      args:\n        chdir: /srv/app\n",
}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    path = tmp_path / "project"
    path.mkdir()
    return path


def judge_in(project: Path, line: str) -> Analysis:
    context = Context(cwd=str(project), home=str(project.parent), repo_root=str(project))
    return judge(line, context)


@pytest.mark.parametrize("name", sorted(DESTRUCTIVE_TASKS))
def test_a_destructive_task_in_a_playbook_is_judged(project: Path, name: str) -> None:
    (project / "site.yml").write_text(play(DESTRUCTIVE_TASKS[name]))
    analysis = judge_in(project, "ansible-playbook -i hosts site.yml")
    assert analysis.decision in STOPPED, explain(analysis)


def test_an_everyday_playbook_passes(project: Path) -> None:
    (project / "site.yml").write_text(EVERYDAY)
    for line in ["ansible-playbook site.yml", "ansible-playbook -i inventory/prod -b site.yml",
                 "ansible-playbook site.yml --limit web1 -e version=2"]:  # fmt: skip
        analysis = judge_in(project, line)
        assert analysis.decision not in STOPPED, explain(analysis)


def test_a_task_that_deletes_a_system_directory_blocks_like_rm(project: Path) -> None:
    (project / "site.yml").write_text(play(DESTRUCTIVE_TASKS["file-absent"]))
    analysis = judge_in(project, "ansible-playbook site.yml")
    assert analysis.decision is Tier.BLOCK, explain(analysis)
    assert judge("ansible db -m file -a 'path=/srv/data state=absent'").decision is Tier.BLOCK


def test_a_missing_playbook_asks(project: Path) -> None:
    analysis = judge_in(project, "ansible-playbook -i hosts missing.yml")
    assert analysis.decision is Tier.ASK, explain(analysis)


@pytest.mark.parametrize(
    "text", ["- hosts: all\n  tasks: [\n", "- hosts: all\n\ttasks:\n", "{{ not yaml"]
)
def test_a_playbook_that_does_not_parse_asks(project: Path, text: str) -> None:
    (project / "site.yml").write_text(text)
    analysis = judge_in(project, "ansible-playbook site.yml")
    assert analysis.decision is Tier.ASK, explain(analysis)


def test_ansible_tags_such_as_vault_values_do_not_stop_the_reading(project: Path) -> None:
    vault = "        TOKEN: !vault |\n          $ANSIBLE_VAULT;1.1;AES256\n          6162\n"
    text = play("    - shell: rm -rf /srv/data\n      environment:\n" + vault)
    (project / "site.yml").write_text(text)
    analysis = judge_in(project, "ansible-playbook site.yml")
    assert analysis.decision is Tier.BLOCK, explain(analysis)


def test_task_files_and_roles_the_playbook_names_are_read(project: Path) -> None:
    (project / "tasks").mkdir()
    (project / "tasks" / "clean.yml").write_text("- shell: rm -rf /srv/data\n")
    (project / "site.yml").write_text(play("    - include_tasks: tasks/clean.yml\n"))
    assert judge_in(project, "ansible-playbook site.yml").decision in STOPPED
    role = project / "roles" / "wipe" / "tasks"
    role.mkdir(parents=True)
    (role / "main.yml").write_text("- file: path=/var/lib/app state=absent\n")
    (project / "roles.yml").write_text("- hosts: db\n  roles:\n    - wipe\n")
    assert judge_in(project, "ansible-playbook roles.yml").decision in STOPPED
    (project / "outer.yml").write_text("- import_playbook: site.yml\n")
    assert judge_in(project, "ansible-playbook outer.yml").decision in STOPPED


def test_a_role_that_cannot_be_found_asks(project: Path) -> None:
    (project / "site.yml").write_text("- hosts: db\n  roles:\n    - { role: nowhere }\n")
    analysis = judge_in(project, "ansible-playbook site.yml")
    assert analysis.decision is Tier.ASK, explain(analysis)


@pytest.mark.parametrize(
    "line",
    ["ansible-playbook --syntax-check site.yml", "ansible-playbook site.yml --list-tasks",
     "ansible-playbook --check site.yml", "ansible-playbook -C --diff site.yml"],
)  # fmt: skip
def test_lines_that_change_nothing_pass(project: Path, line: str) -> None:
    (project / "site.yml").write_text(play(DESTRUCTIVE_TASKS["shell"]))
    analysis = judge_in(project, line)
    assert analysis.decision not in STOPPED, explain(analysis)


def test_a_task_that_runs_even_in_check_mode_is_judged(project: Path) -> None:
    tasks = "    - shell: rm -rf /srv/data\n      check_mode: false\n"
    (project / "site.yml").write_text(play(tasks))
    analysis = judge_in(project, "ansible-playbook --check site.yml")
    assert analysis.decision in STOPPED, explain(analysis)


def test_a_pattern_is_judged_by_every_playbook_it_matches(project: Path) -> None:
    (project / "playbooks").mkdir()
    (project / "playbooks" / "ping.yml").write_text(play("    - ping:\n"))
    (project / "playbooks" / "web.yml").write_text(EVERYDAY)
    assert judge_in(project, "ansible-playbook playbooks/*.yml").decision not in STOPPED
    (project / "playbooks" / "wipe.yml").write_text(play(DESTRUCTIVE_TASKS["shell"]))
    analysis = judge_in(project, "ansible-playbook playbooks/*.yml")
    assert analysis.decision is Tier.BLOCK, explain(analysis)
    assert judge_in(project, "ansible-playbook playbooks/none*.yml").decision is Tier.ASK


def test_ansible_pull_runs_a_playbook_nobody_has_read() -> None:
    analysis = judge("ansible-pull -U https://git.example/ops.git site.yml")
    assert analysis.decision is Tier.ASK, explain(analysis)


def test_a_computed_playbook_name_asks() -> None:
    analysis = judge('ansible-playbook "$PLAYBOOK"')
    assert analysis.decision in STOPPED, explain(analysis)
