"""Family: places and programs of Windows reached from a POSIX shell, and block devices written
through a program's output file rather than a redirection.

- A Windows drive path (`C:\\Users\\me`, `D:/`, `C:projects`, WSL's `/mnt/c/…`, Git Bash's
  `/c/…`) names that drive's place: the drive itself is the root, `Windows` and `Program Files`
  are system directories, `Users` where homes live, a Temp folder temp, any other folder a
  place outside the project. Read as Linux would, it
  was a relative directory of the project and `rm -rf C:/Users/me` ran.
- `wsl --unregister` deletes a distribution with its virtual disk; PowerShell's and cmd's
  account, service and mirroring commands (`Remove-ADUser`, `net user NAME /delete`,
  `net stop`, `robocopy /MIR`) are judged as their POSIX equivalents, and Windows
  PowerShell's bare command (`powershell.exe Clear-Disk …`, no `-Command`) is read.
- `cp image.iso /dev/sdb`, `… | sudo tee /dev/mmcblk0`, `tar -cf /dev/sda …`, `ddrescue`,
  `bmaptool copy` overwrite the disk as `> /dev/sdb` does.
"""

from __future__ import annotations

import pytest
from judgekit import decide, stops

from safesh.model import Tier

WINDOWS_PLACES_DELETED = [
    "rm -rf C:/Users/me",
    'rm -rf "C:\\Users\\me\\Documents"',
    "rm -rf 'D:\\'",
    "rm -rf C:/",
    "rm -rf C:projects",
    "rm -rf /mnt/c/Users/me/Desktop",
    "rm -rf /mnt/c/Windows/System32",
    'rm -rf "/c/Program Files/App"',
    "sudo rm -rf /mnt/d/Program\\ Files",
    "find C:/Users/me -delete",
    "pwsh -c 'Remove-Item -Recurse -Force C:\\Users\\me'",
    "powershell -Command \"rm -r -fo 'C:\\Users\\me\\source'\"",
    "cmd.exe /c rd /s /q C:\\projects",
    'cmd.exe /C "rmdir /S /Q C:\\Users\\me"',
    "cmd /k del /f /s /q D:\\data",
    'pwsh -c "Remove-Item C:\\Windows\\System32 -Recurse"',
]

WINDOWS_MACHINE_CHANGES = [
    "wsl --unregister Ubuntu",
    "wsl.exe --unregister Debian",
    "cmd.exe /c wsl --unregister Ubuntu-22.04",
    "powershell.exe Clear-Disk -Number 1 -RemoveData",
    "powershell Initialize-Disk -Number 2",
    "powershell Stop-Computer",
    "powershell Restart-Computer -Force",
    "pwsh -c 'Remove-ADUser -Identity jdoe'",
    "powershell.exe -ExecutionPolicy Bypass Remove-LocalUser -Name guest",
    "pwsh -c 'Remove-LocalGroup -Name builders'",
    "cmd /c net user bob /delete",
    "cmd /c net stop wuauserv",
    "cmd /c robocopy C:\\empty D:\\backup /MIR",
    "cmd /c robocopy C:\\src D:\\archive /PURGE",
    "cmd.exe /c robocopy.exe C:\\in D:\\out /MOVE",
]

WINDOWS_EVERYDAY = [
    "pwsh -c Get-Process",
    "powershell.exe Get-ChildItem",
    "powershell -ExecutionPolicy Bypass -File build.ps1",
    "pwsh -c 'Get-ChildItem -Recurse | Measure-Object'",
    "cmd.exe /c dir C:\\projects",
    "cmd /c echo hello",
    'pwsh -c "git status"',
    "powershell -NoLogo",
    "powershell -ExecutionPolicy Bypass Get-Process",
    "cmd /c robocopy C:\\src D:\\backup /E",
    "cmd /c net user",
    "cmd /c net start",
    "wsl --list --verbose",
    "wsl -d Ubuntu -- ls -la",
    "ls /mnt/c/Users/me",
    "cp report.pdf /mnt/c/Users/me/Desktop/",
    "rm -rf /mnt/c/Users/me/AppData/Local/Temp/build-42",
    "chown -R a:b dir",
    "rm -rf build",
]

DEVICES_OVERWRITTEN = [
    "cp ubuntu.iso /dev/sdb",
    "sudo cp -v raspios.img /dev/mmcblk0",
    "cat archlinux.iso | sudo tee /dev/sdc > /dev/null",
    "xzcat os.img.xz | tee /dev/nvme1n1",
    "tee -a /dev/sdb1 < blob",
    "tar -czf /dev/sda /home",
    "tar cf /dev/sdb1 /etc",
    "tar --create --file=/dev/vdb .",
    "sudo tar -c -f /dev/disk/by-id/usb-Kingston_DT /srv",
    "install -m 644 disk.img /dev/sdb",
    "ddrescue -f /dev/sda /dev/sdb rescue.map",
    "bmaptool copy os.img.bz2 /dev/sdc",
    "dcfldd if=x.img of=/dev/sdb",
    "sort -o /dev/sda words.txt",
    "mv backup.img /dev/sdd",
]

DEVICES_READ_OR_PSEUDO = [
    "cp /dev/sda disk.img",
    "sudo dd if=/dev/sda of=disk.img bs=4M",
    "ddrescue /dev/sda disk.img rescue.map",
    "tee /dev/null < x",
    "cmd | tee /dev/stderr",
    "tar -xf /dev/st0 -C restore",
    "tar -tvf /dev/sdb",
    "tar -czf backup.tgz src",
    "tar -C /tmp -czf out.tgz .",
    "sort -o sorted.txt words.txt",
    "bmaptool create os.img",
    "cp x.img out/",
]


@pytest.mark.parametrize("line", WINDOWS_PLACES_DELETED)
def test_deleting_a_windows_place_outside_the_project_does_not_run(line: str) -> None:
    assert stops(line), line


@pytest.mark.parametrize("line", WINDOWS_MACHINE_CHANGES)
def test_windows_commands_that_change_the_machine_do_not_run(line: str) -> None:
    assert stops(line), line


@pytest.mark.parametrize("line", WINDOWS_EVERYDAY)
def test_everyday_windows_work_runs(line: str) -> None:
    assert not stops(line), line


@pytest.mark.parametrize("line", DEVICES_OVERWRITTEN)
def test_a_program_writing_into_a_block_device_is_blocked(line: str) -> None:
    assert decide(line) is Tier.BLOCK, line


@pytest.mark.parametrize("line", DEVICES_READ_OR_PSEUDO)
def test_reading_a_device_or_writing_a_pseudo_device_runs(line: str) -> None:
    assert not stops(line), line


def test_a_windows_drive_root_is_judged_as_the_root() -> None:
    assert decide("rm -rf 'C:\\'") is decide("rm -rf /") is Tier.BLOCK


def test_the_windows_system_folder_is_judged_as_a_system_directory() -> None:
    assert decide("rm -rf C:/Windows") is decide("rm -rf /usr") is Tier.BLOCK
