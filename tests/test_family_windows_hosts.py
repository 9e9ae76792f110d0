"""Family: PowerShell and cmd code that ansible runs on Windows hosts, judged as `pwsh -c`
code is (unwrap/foreign.py spells it as shell lines): `win_shell`, `win_command` and
`win_powershell` (`script=`), ad hoc in any option spelling (`-m X`, `-mX`, `--module-name=X`,
`-a X`, `--args=X`, a collection's name) and as playbook tasks; `raw` text that reads as
PowerShell too. Cmdlets that erase a volume or disk, turn the machine off or restart it, or
stop a service are spelled as the command that does the same here (`wipefs`, `poweroff`,
`reboot`, `systemctl stop`). Reading, listing and deleting one file pass.
"""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from judgekit import decide, project_in, stops

from safesh.model import Context, Tier

DESTRUCTIVE_POWERSHELL = [
    "Remove-Item -Recurse -Force C:\\Data",
    "Remove-Item -Path C:\\Data -Recurse",
    "Remove-Item C:\\inetpub\\wwwroot -Recurse -Force",
    "rm -r -fo C:\\Data",
    "ri C:\\Data -Recurse",
    "Format-Volume -DriveLetter D -Force",
    "Format-Volume -DriveLetter D -FileSystem NTFS -Confirm:$false",
    "Clear-Disk -Number 1 -RemoveData -Confirm:$false",
    "Get-Disk 1 | Clear-Disk -RemoveData",
    "Initialize-Disk -Number 2",
    "Stop-Computer -Force",
    "Restart-Computer -Force",
    "Stop-Service -Name MSSQLSERVER -Force",
    "Remove-ADUser -Identity bob -Confirm:$false",
    "Get-ChildItem C:\\Data | Remove-Item -Recurse -Force",
]
DESTRUCTIVE_CMD = [
    "cmd /c rd /s /q C:\\Data",
    "cmd.exe /c del /s /q C:\\Data\\*",
    "cmd /c format D: /q /y",
]
BENIGN_POWERSHELL = [
    "Get-ChildItem C:\\",
    "Get-Service",
    "Get-Disk",
    "Get-Volume -DriveLetter D",
    "Write-Output hello",
    "Remove-Item C:\\Temp\\build.log",
    "Restart-Service -Name W3SVC",
    "whoami",
]
AD_HOC = [
    "ansible windows -m win_shell -a {c}",
    "ansible windows -m ansible.windows.win_shell -a {c}",
    "ansible windows -i inventory.ini -m win_shell --args {c}",
    "ansible windows -m win_shell -a {c} -i inventory.ini -u Administrator",
    "ansible windows --module-name=win_shell --args={c}",
    "ansible windows -mwin_shell -a{c}",
    "ansible 'web:&prod' -m win_shell -a {c} --become",
    "sudo ansible windows -m win_shell -a {c}",
]


@pytest.mark.parametrize("code", DESTRUCTIVE_POWERSHELL)
def test_destructive_powershell_on_windows_hosts_stops(code: str) -> None:
    for line in AD_HOC:
        assert stops(line.format(c=shlex.quote(code))), line.format(c=shlex.quote(code))
    script = shlex.quote(f"script={shlex.quote(code)}")
    assert stops(f"ansible windows -m ansible.windows.win_powershell -a {script}")
    assert stops(f"pwsh -c {shlex.quote(code)}")


@pytest.mark.parametrize("code", DESTRUCTIVE_CMD)
def test_cmd_lines_run_by_win_command_stop(code: str) -> None:
    assert stops(f"ansible windows -m win_command -a {shlex.quote(code)}")
    assert stops(f"ansible windows -m ansible.windows.win_command -a {shlex.quote(code)}")


def test_powershell_started_by_win_command_stops() -> None:
    code = "powershell -Command Remove-Item -Recurse C:\\Users"
    assert stops(f"ansible windows -m win_command -a {shlex.quote(code)}")


def test_raw_text_that_reads_as_powershell_is_judged_so() -> None:
    assert stops("ansible windows -m raw -a 'Remove-Item -Recurse -Force C:\\Data'")
    assert stops("ansible windows -m raw -a 'Format-Volume -DriveLetter E'")
    assert not stops("ansible windows -m raw -a 'Get-Service'")
    assert not stops("ansible all -m raw -a uptime")


@pytest.mark.parametrize("code", BENIGN_POWERSHELL)
def test_reading_and_small_changes_on_windows_hosts_pass(code: str) -> None:
    for line in AD_HOC:
        assert not stops(line.format(c=shlex.quote(code))), line.format(c=shlex.quote(code))
    assert not stops(f"pwsh -c {shlex.quote(code)}")


def test_win_command_settings_are_not_paths() -> None:
    line = "ansible windows -m win_command -a 'whoami chdir=C:\\Temp creates=C:\\x.txt'"
    assert not stops(line)


@pytest.fixture
def project(tmp_path: Path) -> Context:
    return project_in(tmp_path)


PLAYBOOK_TASKS = [
    "    - win_shell: Remove-Item -Recurse -Force C:\\\\Data\n",
    "    - ansible.windows.win_shell: |\n        Format-Volume -DriveLetter D -Force\n",
    "    - name: wipe\n      win_command: cmd.exe /c rd /s /q C:\\\\Data\n",
    "    - ansible.windows.win_powershell:\n        script: |\n"
    "          Remove-Item -Path C:\\\\Data -Recurse -Force\n",
    "    - win_shell: Stop-Computer -Force\n",
    "    - win_shell:\n        cmd: Clear-Disk -Number 1 -RemoveData\n",
]


@pytest.mark.parametrize("task", PLAYBOOK_TASKS)
def test_windows_tasks_in_a_playbook_are_judged(project: Context, task: str) -> None:
    Path(project.cwd, "site.yml").write_text(f"- hosts: windows\n  tasks:\n{task}")
    assert stops("ansible-playbook -i inventory.ini site.yml", project), task
    assert not stops("ansible-playbook --check site.yml", project), task


def test_a_harmless_windows_playbook_passes(project: Context) -> None:
    Path(project.cwd, "site.yml").write_text(
        "- hosts: windows\n  tasks:\n    - win_shell: Get-ChildItem C:\\\\\n"
        "    - win_command: whoami\n    - ansible.windows.win_powershell:\n"
        "        script: Get-Service\n"
    )
    assert decide("ansible-playbook site.yml", project) is not Tier.ASK
    assert not stops("ansible-playbook site.yml", project)


@pytest.mark.parametrize(
    "code",
    [
        "Invoke-Command -ComputerName srv1 -ScriptBlock { Format-Volume -DriveLetter D }",
        "Invoke-Command -ComputerName srv1 {Stop-Computer -Force}",
        "Invoke-Command -ComputerName s1,s2 -ScriptBlock { Restart-Computer -Force }",
        "Get-Disk | Where-Object IsOffline | ForEach-Object { Clear-Disk -Number 1 -RemoveData }",
    ],
)
def test_a_cmdlet_inside_a_script_block_is_judged(code: str) -> None:
    assert stops(f"pwsh -c {shlex.quote(code)}")
    assert stops(f"ansible windows -m win_shell -a {shlex.quote(code)}")


@pytest.mark.parametrize(
    "code",
    [
        "Get-Service | ForEach-Object { $_.Name }",
        "Invoke-Command -ComputerName s1 { Get-Service }",
        'Get-Volume | Where-Object { $_.DriveLetter -eq "D" }',
    ],
)
def test_harmless_script_blocks_pass(code: str) -> None:
    assert not stops(f"pwsh -c {shlex.quote(code)}")
    assert not stops(f"ansible windows -m win_shell -a {shlex.quote(code)}")
