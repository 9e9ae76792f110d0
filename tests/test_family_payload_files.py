"""Family: what a command does is in a file it reads, not on the line. The AWS CLI's
`file://PATH` arguments (a route53 change batch, DynamoDB request or transaction items,
`--cli-input-json` / `--cli-input-yaml`, SSM parameters) are judged as the same text given
inline; SQL files given to psql, mysql, sqlite3 (`-f`, `< FILE`, `.read`) are parsed as SQL.
A payload that cannot be read here asks where its text decides (as an unreadable SQL file
does); `fileb://` blobs and payloads whose text decides nothing pass as before.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from judgekit import decide, project_in, stops

from safesh.model import Context, Tier

DELETE_BATCH = (
    '{\n  "Comment": "retire",\n  "Changes": [\n    {\n      "Action": "DELETE",\n'
    '      "ResourceRecordSet": {"Name": "old.example.com", "Type": "A", "TTL": 300,\n'
    '        "ResourceRecords": [{"Value": "192.0.2.1"}]}\n    }\n  ]\n}\n'
)
UPSERT_BATCH = DELETE_BATCH.replace("DELETE", "UPSERT")
FILES = {
    "batch.json": DELETE_BATCH,
    "batch-compact.json": '{"Changes":[{"Action":"DELETE","ResourceRecordSet":{"Name":"a.x"}}]}',
    "input.json": '{"HostedZoneId": "Z1", "ChangeBatch": {"Changes": [{"Action": "DELETE"}]}}',
    "input.yaml": "HostedZoneId: Z1\nChangeBatch:\n  Changes:\n  - Action: DELETE\n"
    "    ResourceRecordSet:\n      Name: a.example.com\n      Type: A\n",
    "items.json": '{"Orders": [{"DeleteRequest": {"Key": {"id": {"S": "1"}}}}]}',
    "tx.json": '[{"Delete": {"TableName": "Orders", "Key": {"id": {"S": "1"}}}}]',
    "upsert.json": UPSERT_BATCH,
    "input-create.json": '{"HostedZoneId": "Z1", "ChangeBatch": '
    '{"Changes": [{"Action": "CREATE"}]}}',
    "input-create.yaml": "ChangeBatch:\n  Changes:\n  - Action: CREATE\n",
    "items-put.json": '{"Orders": [{"PutRequest": {"Item": {"id": {"S": "1"}}}}]}',
    "tx-put.json": '[{"Put": {"TableName": "Orders", "Item": {"id": {"S": "1"}}}}]',
    "params.json": '{"commands": ["rm -rf /var/lib/mysql"]}',
    "params-ok.json": '{"commands": ["uptime", "df -h"]}',
    "drop.sql": "-- retire\nDROP TABLE users;\n",
    "drop.influxql": "DROP MEASUREMENT cpu",
    "select.influxql": "SELECT * FROM cpu WHERE time > now() - 1h",
    "wipe.sql": "DELETE FROM orders;\n",
    "report.sql": "SELECT count(*) FROM orders;\n",
}
DESTRUCTIVE = [
    "aws route53 change-resource-record-sets --hosted-zone-id Z1 --change-batch file://batch.json",
    "aws route53 change-resource-record-sets --change-batch file://batch.json --hosted-zone-id Z1",
    "aws route53 change-resource-record-sets --hosted-zone-id Z1 --change-batch=file://batch.json",
    "aws route53 change-resource-record-sets --hosted-zone-id Z1 --change-batch file://./batch-compact.json",
    "aws route53 change-resource-record-sets --cli-input-json file://input.json",
    "aws route53 change-resource-record-sets --cli-input-json=file://input.json",
    "aws route53 change-resource-record-sets --cli-input-yaml file://input.yaml",
    "aws dynamodb batch-write-item --request-items file://items.json",
    "aws dynamodb batch-write-item --request-items=file://items.json "
    "--return-consumed-capacity TOTAL",
    "aws dynamodb transact-write-items --transact-items file://tx.json",
    "aws ssm send-command --document-name AWS-RunShellScript --instance-ids i-1 "
    "--parameters file://params.json",
    "aws route53 change-resource-record-sets --hosted-zone-id Z1 --change-batch file://missing.json",
    "aws route53 change-resource-record-sets --cli-input-json file://missing.json",
    "aws dynamodb batch-write-item --request-items file://missing.json",
    "aws dynamodb transact-write-items --transact-items=file://missing.json",
    "aws s3api delete-objects --bucket b --delete file://missing.json",
    "psql -h db -U app -f drop.sql",
    "psql --file=wipe.sql app",
    "psql app < drop.sql",
    "mysql -u root -p shop < wipe.sql",
    "mariadb shop < drop.sql",
    "sqlite3 app.db < drop.sql",
    "sqlite3 app.db '.read wipe.sql'",
    "cat drop.sql | psql app",
    "psql -f missing.sql",
    "mysql shop < missing.sql",
]
WRAPPERS = [
    "{}",
    "sudo {}",
    "env AWS_PROFILE=dev {}",
    "timeout 120 {}",
    "aws-vault exec dev -- {}",
]


def wrapped(wrapper: str, line: str) -> str:
    """`line` run through `wrapper` (in a pipeline, its last command)."""
    head, bar, last = line.rpartition(" | ")
    return f"{head}{bar}{wrapper.format(last)}"


BENIGN = [
    "aws route53 change-resource-record-sets --hosted-zone-id Z1 --change-batch file://upsert.json",
    "aws route53 change-resource-record-sets --cli-input-json file://input-create.json",
    "aws route53 change-resource-record-sets --cli-input-yaml file://input-create.yaml",
    "aws dynamodb batch-write-item --request-items file://items-put.json",
    "aws dynamodb transact-write-items --transact-items file://tx-put.json",
    "aws ssm send-command --document-name AWS-RunShellScript --instance-ids i-1 "
    "--parameters file://params-ok.json",
    "aws route53 change-resource-record-sets --hosted-zone-id Z1 "
    "--change-batch file://missing.json --generate-cli-skeleton",
    "aws route53 list-resource-record-sets --hosted-zone-id Z1",
    "aws lambda update-function-code --function-name f --zip-file fileb://missing.zip",
    "aws sqs create-queue --queue-name jobs --attributes file://missing.json",
    "aws cloudformation validate-template --template-body file://missing.yaml",
    "psql -f report.sql app",
    "mysql shop < report.sql",
    "sqlite3 app.db < report.sql",
]


@pytest.fixture
def project(tmp_path: Path) -> Context:
    return project_in(tmp_path, FILES)


@pytest.mark.parametrize("line", DESTRUCTIVE)
def test_a_payload_read_from_a_file_is_judged_as_given_inline(project: Context, line: str) -> None:
    for wrapper in WRAPPERS:
        if "aws-vault" in wrapper and not line.startswith("aws "):
            continue
        assert stops(wrapped(wrapper, line), project), wrapped(wrapper, line)


@pytest.mark.parametrize("line", BENIGN)
def test_a_payload_that_deletes_nothing_passes(project: Context, line: str) -> None:
    for wrapper in WRAPPERS:
        if "aws-vault" in wrapper and not line.startswith("aws "):
            continue
        assert not stops(wrapped(wrapper, line), project), wrapped(wrapper, line)


def test_a_payload_path_is_read_from_the_directory_the_line_moved_to(project: Context) -> None:
    Path(project.cwd, "dns").mkdir()
    Path(project.cwd, "dns", "batch.json").write_text(DELETE_BATCH)
    Path(project.cwd, "dns", "ok.json").write_text(UPSERT_BATCH)
    base = "aws route53 change-resource-record-sets --hosted-zone-id Z1 --change-batch"
    assert stops(f"cd dns && {base} file://batch.json", project)
    assert not stops(f"cd dns && {base} file://ok.json", project)
    assert stops(f"{base} file://{project.cwd}/dns/batch.json", project)


def test_an_unreadable_payload_asks_rather_than_blocks(project: Context) -> None:
    line = "aws dynamodb batch-write-item --request-items file://missing.json"
    assert decide(line, project) is Tier.ASK
    assert decide('cd "$DIR" && aws route53 change-resource-record-sets --hosted-zone-id Z1 '
                  "--change-batch file://batch.json", project) is Tier.ASK  # fmt: skip


HTTP_FILE_BODIES = [
    "curl -X POST http://localhost:8080/query --data-binary @{f}",
    "curl -s localhost:8080/exec -d @{f}",
    "curl -d@{f} http://localhost:8080/exec",
    "curl --data-binary=@{f} http://127.0.0.1:8080/sql",
    "curl -X POST http://localhost:8086/query --data-urlencode q@{f}",
    "curl -XPOST 'http://127.0.0.1:8086/query?db=metrics' --data-urlencode 'q@{f}'",
    "wget --post-file={f} -O- http://localhost:8080/exec",
    "wget --post-file {f} http://localhost:8080/exec",
    "http POST localhost:8080/exec query=@{f}",
]


@pytest.mark.parametrize("line", HTTP_FILE_BODIES)
def test_a_request_body_read_from_a_file_is_judged_as_given_inline(
    project: Context, line: str
) -> None:
    assert stops(line.format(f="drop.influxql"), project)
    assert stops(line.format(f="drop.sql"), project)
    assert not stops(line.format(f="select.influxql"), project)


def test_a_missing_body_file_or_an_upload_changes_nothing(project: Context) -> None:
    assert not stops("curl -X POST http://localhost:8080/api -d @missing.json", project)
    assert not stops("curl -F 'file=@drop.sql' http://localhost:3000/upload", project)
    assert not stops("curl -d 'user@example.com' http://localhost:3000/login", project)


FLAGS_FILES = {
    "unprotect.yaml": "--no-deletion-protection: true\n--tier: db-f1-micro\n",
    "protection-false.yaml": "--deletion-protection: false\n",
    "no-backup.yaml": "--backup: false\n",
    "zero-nodes.yaml": "--num-nodes: 0\n--zone: us-central1-a\n",
    "everyday.yaml": "--zone: us-central1-a\n--machine-type: e2-small\n--tags:\n- web\n- http\n",
    "broken.yaml": "::: not yaml [",
}


@pytest.mark.parametrize(
    "line",
    ["gcloud sql instances patch db1 --flags-file=unprotect.yaml",
     "gcloud sql instances patch db1 --flags-file unprotect.yaml",
     "gcloud sql instances patch db1 --flags-file=protection-false.yaml --quiet",
     "gcloud --project shop sql instances patch db1 --flags-file=no-backup.yaml",
     "gcloud container clusters resize c1 --flags-file=zero-nodes.yaml",
     "gcloud --flags-file=zero-nodes.yaml container clusters resize c1",
     "sudo gcloud container clusters resize c1 --flags-file=./zero-nodes.yaml"],
)  # fmt: skip
def test_flags_in_a_gcloud_flags_file_are_judged_as_typed(project: Context, line: str) -> None:
    for name, text in FLAGS_FILES.items():
        Path(project.cwd, name).write_text(text)
    assert stops(line, project)


@pytest.mark.parametrize(
    "line",
    ["gcloud compute instances create vm1 --flags-file=everyday.yaml",
     "gcloud compute instances list --flags-file=everyday.yaml",
     "gcloud compute instances list --flags-file=missing.yaml",
     "gcloud compute instances create vm1 --flags-file=broken.yaml",
     "gcloud compute ssh vm1 --flags-file=everyday.yaml -- uptime"],
)  # fmt: skip
def test_everyday_flags_files_pass(project: Context, line: str) -> None:
    for name, text in FLAGS_FILES.items():
        Path(project.cwd, name).write_text(text)
    assert not stops(line, project)


STATEMENT_FILE_LINES = [
    "sqlcmd -S db -d shop -i {f}",
    "sqlcmd -S db -i {f} -b",
    "cockroach sql --insecure -f {f}",
    "cockroach sql --url postgres://db:26257/shop < {f}",
    "clickhouse-client --queries-file {f}",
    "snowsql -a acct -u bot -f {f}",
    "trino --server db:8080 -f {f}",
    "trino --file={f}",
    "usql pg://db/shop -f {f}",
    "mysqlsh --sql -f {f}",
    "cqlsh db1 -f {f}",
    "sqlplus scott/tiger@db @{f}",
    "isql -S db -U sa -i {f}",
    "beeline -u jdbc:hive2://db -f {f}",
    "spark-sql -f {f}",
    "sudo -u postgres cockroach sql -f {f}",
]


@pytest.mark.parametrize("line", STATEMENT_FILE_LINES)
def test_statement_files_of_other_database_clients_are_read(project: Context, line: str) -> None:
    Path(project.cwd, "purge.sql").write_text("-- monthly\nTRUNCATE TABLE events;\n")
    Path(project.cwd, "drop.sql").write_text("/* retire */ DROP TABLE users;\n")
    Path(project.cwd, "count.sql").write_text("SELECT count(*) FROM events;\n")
    assert stops(line.format(f="purge.sql"), project)
    assert stops(line.format(f="drop.sql"), project)
    assert not stops(line.format(f="count.sql"), project)
    assert decide(line.format(f="missing.sql"), project) is Tier.ASK


def test_sqlplus_finds_a_script_named_without_its_suffix(project: Context) -> None:
    Path(project.cwd, "drop.sql").write_text("DROP TABLE users;\n")
    Path(project.cwd, "count.sql").write_text("SELECT count(*) FROM users;\n")
    assert stops("sqlplus scott/tiger@db @drop", project)
    assert not stops("sqlplus scott/tiger@db @count", project)


@pytest.mark.parametrize(
    "line",
    [
        "gh api -X PATCH repos/acme/api --input {f}",
        "gh api --method PATCH /repos/acme/api --input {f}",
        "gh api repos/acme/api -X PATCH --input={f}",
        "glab api -X PUT projects/12 --input {f}",
        "GH_TOKEN=x gh api -X PATCH repos/acme/api --input {f}",
    ],
)
def test_a_forge_api_body_read_from_a_file_is_judged_as_its_fields(
    project: Context, line: str
) -> None:
    Path(project.cwd, "public.json").write_text('{"private": false, "description": "x"}')
    Path(project.cwd, "visible.json").write_text('{"visibility": "public"}')
    Path(project.cwd, "describe.json").write_text('{"description": "x", "has_wiki": false}')
    assert stops(line.format(f="public.json"), project)
    assert stops(line.format(f="visible.json"), project)
    assert not stops(line.format(f="describe.json"), project)
    assert not stops(line.format(f="missing.json"), project)


# The Azure CLI reads any argument written `@PATH` from that file.
AZ_FILES = {"cleanup.sh": "#!/bin/bash\nrm -rf /var/lib/mysql\n", "report.sh": "uptime\ndf -h\n"}
AZ_RUN = "az vm run-command invoke -g rg -n vm1 --command-id RunShellScript --scripts {}"


@pytest.mark.parametrize(
    "line",
    [AZ_RUN.format("@cleanup.sh"), AZ_RUN.format("@./cleanup.sh"), AZ_RUN.format("@missing.sh"),
     "az vmss run-command invoke -g rg -n ss --instance-id 0 --command-id RunShellScript"
     " --scripts @cleanup.sh"],
)  # fmt: skip
def test_an_azure_script_read_from_a_file_is_judged_as_given_inline(
    tmp_path: Path, line: str
) -> None:
    assert stops(line, project_in(tmp_path, AZ_FILES)), line


def test_an_azure_script_that_only_reads_passes(tmp_path: Path) -> None:
    assert not stops(AZ_RUN.format("@report.sh"), project_in(tmp_path, AZ_FILES))
