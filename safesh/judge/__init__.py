"""The resident judge: how every command gets an answer quickly and always in time.

budget.py    the deadline and size cap: what is not judged in time is asked about (fail closed)
protocol.py  the socket, its checks, the code stamp and the message framing
client.py    the thin client `safesh -c`, scripts, `-s` and the hooks start with (imports
             almost nothing; any failure of the judge means judging in-process)
server.py    the per-user judge process (`python -m safesh.judge.server`, started on demand)

A front end like `safesh.cli`: it may import the stages and the cli front ends; no stage
imports it.
"""
