"""Publishing and its look-alikes, families the fourth held-out probe found
(notes/heldout4_data.py): release orchestrators and the registries of every ecosystem publish;
an owner removed or a package made public changes hands or is seen by everyone; forges delete
(glab as gh). Dry runs, local installs, the test index and a push to a registry on this machine
run.
"""

from __future__ import annotations

import pytest
from judgekit import stops

PUBLISHES = [
    "npx lerna publish from-package --yes",
    "lerna publish --conventional-commits",
    "npx changeset publish",
    "pnpm changeset publish",
    "npx semantic-release",
    "npx semantic-release --no-ci",
    "npx release-it --ci",
    "np --yolo",
    "cargo release minor --execute",
    "cargo release -x patch",
    "bundle exec rake release",
    "rake release:rubygem_push",
    "goreleaser",
    "goreleaser --clean",
    "goreleaser --rm-dist",
    "goreleaser release --clean",
    "goreleaser release --skip=validate",
    "./gradlew publishToSonatype closeAndReleaseSonatypeStagingRepository",
    "./gradlew :core:publishAllPublicationsToMavenCentralRepository",
    "sbt +publishSigned",
    "sbt sonatypeBundleRelease",
    "lein deploy clojars",
    "mix hex.publish",
    "mix hex.retire mypkg 1.0.0 security",
    "dart pub publish --force",
    "flutter pub publish",
    "deno publish",
    "npx jsr publish",
    "anaconda upload dist/mypkg-1.0.tar.bz2",
    "stack upload .",
    "cabal upload --publish dist-newstyle/sdist/mypkg-1.0.tar.gz",
    "jreleaser full-release",
    "twine upload -r pypi dist/*",
    "twine upload --repository-url https://upload.pypi.org/legacy/ dist/*",
    "poetry publish -r internal",
    "uv publish --publish-url https://upload.pypi.org/legacy/",
    "cargo publish --allow-dirty",
    "cargo yank --version 1.0.1 mycrate",
    "python setup.py sdist upload",
    "python3 setup.py sdist bdist_wheel upload -r pypi",
    "yarn workspaces foreach -A npm publish",
    "yarn workspaces foreach --all --topological npm publish --tolerate-republish",
    "npm run release",
    "npm run-script publish",
    "yarn release",
    "pnpm run publish:all",
    "bun run packages:publish",
]

DRY_RUNS_AND_LOCAL = [
    "npx semantic-release --dry-run",
    "npx semantic-release -d",
    "npx release-it --dry-run",
    "cargo release minor",
    "cargo publish -n",
    "cargo publish --dry-run",
    "cargo yank --undo mycrate@1.0.1",
    "goreleaser check",
    "goreleaser --snapshot --clean",
    "goreleaser release --snapshot --clean",
    "goreleaser release --skip=publish --clean",
    "goreleaser build --snapshot",
    "goreleaser --version",
    "./gradlew publishToMavenLocal",
    "./gradlew :core:publishToMavenLocal",
    "sbt publishLocal",
    "mix hex.publish --dry-run",
    "dart pub publish --dry-run",
    "dart pub publish -n",
    "deno publish --dry-run",
    "lerna version --no-push",
    "npx changeset version",
    "twine upload -r testpypi dist/*",
    "twine upload --repository testpypi dist/*",
    "twine upload --repository-url https://test.pypi.org/legacy/ dist/*",
    "poetry publish -r testpypi",
    "uv publish --publish-url https://test.pypi.org/legacy/",
    "rake test",
    "python setup.py sdist bdist_wheel",
    "python setup.py build_ext --inplace",
    "yarn workspaces foreach -A run build",
    "npm run release:notes",
    "npm run build",
    "yarn version",
    "pnpm run prerelease-check",
]


@pytest.mark.parametrize("line", PUBLISHES)
def test_publishing_a_release_asks(line: str) -> None:
    assert stops(line), line


@pytest.mark.parametrize("line", DRY_RUNS_AND_LOCAL)
def test_dry_runs_local_installs_and_the_test_index_run(line: str) -> None:
    assert not stops(line), line


OWNERSHIP = [
    "npm owner rm alice my-package",
    "npm owner remove alice @acme/utils",
    "npm access set status=public @acme/internal",
    "npm access public @acme/internal",
    "gem owner mygem --remove alice@example.com",
    "gem owner mygem -r alice@example.com",
    "cargo owner --remove alice mycrate",
]
OWNERSHIP_READS = [
    "npm owner ls my-package",
    "npm owner add bob my-package",
    "npm access set status=private @acme/internal",
    "npm access get status @acme/internal",
    "npm access list packages @acme",
    "gem owner mygem",
    "gem owner mygem --add bob@example.com",
    "cargo owner --list mycrate",
]


@pytest.mark.parametrize("line", OWNERSHIP)
def test_removing_an_owner_or_making_a_package_public_asks(line: str) -> None:
    assert stops(line), line


@pytest.mark.parametrize("line", OWNERSHIP_READS)
def test_listing_or_adding_owners_runs(line: str) -> None:
    assert not stops(line), line


FORGE_DELETES = [
    "glab repo archive acme/api",
    "glab repo delete acme/old-service --yes",
    "glab release delete v1.2.3 --yes --with-tag",
    "glab api -X DELETE projects/42",
    "glab api --method DELETE projects/42/releases/v1.0",
    "glab api projects/42/variables/TOKEN -X delete",
]
FORGE_READS = [
    "glab repo view acme/api",
    "glab api projects/42/releases",
    "glab api -X GET projects/42",
    "glab release list",
    "glab repo clone acme/api",
]


@pytest.mark.parametrize("line", FORGE_DELETES)
def test_glab_deletes_and_archives_ask_as_gh_does(line: str) -> None:
    assert stops(line), line


@pytest.mark.parametrize("line", FORGE_READS)
def test_glab_reads_run(line: str) -> None:
    assert not stops(line), line


IMAGE_PUBLISHES = [
    "docker push registry.example.com/shop/api:latest",
    "docker push localhost/app:dev",
    "docker push localhost.example.com:5000/app:1",
    "docker image push --all-tags myorg/api",
    "podman push localhost/app:1 docker://quay.io/acme/app:1",
    "podman push localhost:5000/app:1 docker://quay.io/acme/app:1",
    "buildah push myorg/api:prod docker://registry.example.com/myorg/api:prod",
]
LOCAL_REGISTRY_PUSHES = [
    "docker push localhost:5000/app:dev",
    "docker push 127.0.0.1:5001/app:dev",
    "docker image push localhost:5000/app:dev",
    "nerdctl push localhost:5000/app:dev",
]


@pytest.mark.parametrize("line", IMAGE_PUBLISHES)
def test_pushing_an_image_to_a_shared_registry_asks(line: str) -> None:
    assert stops(line), line


@pytest.mark.parametrize("line", LOCAL_REGISTRY_PUSHES)
def test_pushing_to_a_registry_on_this_machine_runs(line: str) -> None:
    assert not stops(line), line
