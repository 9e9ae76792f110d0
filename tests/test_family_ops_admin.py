"""Family: operating the services an app depends on. A message broker's consumers moved or
their backlog dropped (a consumer-group reset that is executed, a seek, a cleared or skipped
backlog, an emptied job queue, ACLs and permissions removed), alerting silenced wholesale or
a monitoring store cleaned, money moved or subscriptions ended through a payment CLI, and
deletions in search and vector stores and Grafana through their HTTP APIs: each asks.
Describing, listing, a reset that only prints its plan, a scoped silence, test triggers,
indexing documents and creating collections pass.
"""

from __future__ import annotations

import pytest
from judgekit import stops

QUEUES = [
    "kafka-consumer-groups.sh --bootstrap-server b:9092 --group billing --reset-offsets"
    " --to-earliest --execute --topic invoices",
    "kafka-consumer-groups --group billing --reset-offsets --to-latest --all-topics --execute",
    "kafka-acls --remove --allow-principal User:alice --operation All --topic '*' --force",
    "rpk group seek billing --to start",
    "rpk -X brokers=k:9092 group seek billing --to end",
    "pulsar-admin topics clear-backlog persistent://public/default/orders -s billing",
    "rabbitmqctl clear_permissions -p / app",
    "rq empty --all",
    "timeout 30 rpk group seek billing --to start",
]


@pytest.mark.parametrize("line", QUEUES)
def test_dropping_what_consumers_have_not_read_asks(line: str) -> None:
    assert stops(line)


ALERTING_AND_MONEY = [
    "dog monitor mute_all",
    'amtool silence add alertname=~".+" --duration=30d --comment=quiet',
    "splunk clean eventdata -index main -f",
    "stripe refunds create --charge ch_123",
    "stripe payouts create --amount 100000 --currency usd",
    "stripe subscriptions cancel sub_123",
    "stripe invoices void in_123",
    "stripe post /v1/refunds -d charge=ch_123",
    "stripe --api-key sk_live_x subscriptions cancel sub_123",
]


@pytest.mark.parametrize("line", ALERTING_AND_MONEY)
def test_silencing_all_alerts_and_moving_money_ask(line: str) -> None:
    assert stops(line)


STORE_APIS = [
    'curl -X DELETE "http://localhost:7700/indexes/movies"',
    'curl -X DELETE "http://localhost:8108/collections/companies" -H "X-TYPESENSE-API-KEY: k"',
    "curl -X DELETE http://localhost:6333/collections/embeddings",
    """curl -X POST http://localhost:6333/collections/docs/points/delete -d '{"filter":{}}'""",
    'curl "http://localhost:8983/solr/admin/cores?action=UNLOAD&core=core1&deleteIndex=true"',
    'curl "http://solr.internal/solr/admin/collections?action=DELETE&name=products"',
    "curl -X DELETE http://admin:admin@localhost:3000/api/dashboards/uid/cIBgcSjkk",
]


@pytest.mark.parametrize("line", STORE_APIS)
def test_deleting_from_search_stores_and_grafana_over_http_asks(line: str) -> None:
    assert stops(line)


ORDINARY = [
    "kafka-consumer-groups --group billing --reset-offsets --to-earliest --topic invoices",
    "kafka-consumer-groups.sh --group billing --reset-offsets --to-earliest --topic x --dry-run",
    "curl -X POST http://localhost:3000/api/dashboards/db -d @dash.json",
    "kafka-consumer-groups.sh --bootstrap-server b:9092 --describe --group billing",
    "kafka-acls --bootstrap-server b:9092 --list",
    "rpk group describe billing",
    "pulsar-admin topics stats persistent://public/default/orders",
    "rabbitmqctl list_permissions",
    "rq info",
    "dog monitor show_all",
    "amtool silence add alertname=HighLatency instance=web-1 --duration=1h --comment=deploying",
    "amtool silence query",
    "stripe customers list --limit 3",
    "stripe trigger payment_intent.succeeded",
    "stripe listen --forward-to localhost:3000/webhook",
    "curl http://localhost:7700/indexes",
    'curl -X POST "http://localhost:7700/indexes/movies/documents" -d @movies.json',
    "curl -X PUT http://localhost:6333/collections/docs -d @collection.json",
    'curl "http://localhost:8983/solr/admin/cores?action=STATUS"',
    "curl -X DELETE http://localhost:3000/api/items/1",
]


@pytest.mark.parametrize("line", ORDINARY)
def test_reading_planning_and_indexing_pass(line: str) -> None:
    assert not stops(line)
