"""The resident judge: how every command gets an answer quickly and always in time.

budget.py    the deadline and size cap: what is not judged in time is asked about (fail closed)
protocol.py  the socket, its checks, the handshake and code stamp, and the message framing
watch.py     the judge's inotify watch over its own code (clients no longer stat it)
client.py    the thin client `safesh -c`, scripts, `-s` and the hooks start with (imports
             almost nothing; any failure of the judge means judging in-process)
server.py    the per-user judge process (`python -m safesh.judge.server`, started on demand) and
             its children: spares forked and warmed in advance, one per request
worker.py    what a child does: serve one request (judge, record, reply), or warm up as a spare

A front end like `safesh.cli`: it may import the stages and the cli front ends; no stage
imports it.
"""
