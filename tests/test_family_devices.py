"""Family: phones and tablets, and the apps released to them. What `adb shell` (or `adb
exec-out`) carries runs in the device's shell and is judged as a command line there, quoted
or not. Wiping, reflashing or unlocking a device, a factory reset through recovery or a
broadcast, clearing an app's data and removing a system package ask; so do a build submitted
to a store, a theme made live, and an over-the-air update to production. Installing, listing,
logging, starting activities, removing a scratch file and uninstalling one's own debug app
pass.
"""

from __future__ import annotations

import pytest
from judgekit import decide, stops

from safesh.model import Tier

DEVICE_SHELL = [
    "adb shell 'rm -rf /sdcard/DCIM'",
    "adb shell rm -rf /sdcard/*",
    """adb shell "su -c 'rm -rf /data/data/com.example'\"""",
    "adb -s emulator-5554 shell 'rm -rf /sdcard/Download'",
    "adb exec-out 'rm -rf /sdcard/Pictures'",
]


@pytest.mark.parametrize("line", DEVICE_SHELL)
def test_what_adb_shell_carries_is_judged_on_the_device(line: str) -> None:
    assert stops(line)


WIPES = [
    "fastboot -w",
    "fastboot flash boot boot.img",
    "fastboot -s ABC123 flash recovery twrp.img",
    "fastboot flashing unlock",
    "fastboot oem unlock",
    "adb shell pm clear com.example.app",
    "adb shell pm uninstall --user 0 com.android.systemui",
    "adb shell pm uninstall -k --user 0 com.google.android.gms",
    "adb shell recovery --wipe_data",
    "adb shell am broadcast -a android.intent.action.MASTER_CLEAR",
]


@pytest.mark.parametrize("line", WIPES)
def test_wiping_flashing_or_clearing_a_device_asks(line: str) -> None:
    assert stops(line)


RELEASES = [
    "fastlane deliver --submit_for_review --force",
    "fastlane supply --track production",
    "fastlane pilot upload --ipa App.ipa",
    "eas submit --platform ios --profile production",
    "shopify theme publish -t 123 -f",
    'eas update --branch production --message "hotfix"',
]


@pytest.mark.parametrize("line", RELEASES)
def test_releasing_an_app_to_its_users_asks(line: str) -> None:
    assert stops(line)


def test_an_over_the_air_update_to_a_preview_branch_is_recorded_not_asked() -> None:
    assert decide("eas update --branch preview --message 'try the new menu'") == Tier.NOTIFY


ORDINARY = [
    "adb devices",
    "adb logcat",
    "adb shell ls /sdcard",
    "adb shell 'ls -la /sdcard/Download'",
    "adb install -r app-release.apk",
    "adb shell pm list packages",
    "adb shell am start -n com.example/.MainActivity",
    "adb shell rm /data/local/tmp/test.apk",
    "adb uninstall com.example.app",
    "adb reverse tcp:8081 tcp:8081",
    "fastboot devices",
    "fastboot getvar all",
    "fastlane gym",
    "fastlane deliver init",
    "eas build --platform android --profile preview",
    "shopify theme dev",
    "shopify theme push --unpublished",
]


@pytest.mark.parametrize("line", ORDINARY)
def test_ordinary_device_work_passes(line: str) -> None:
    assert not stops(line)
