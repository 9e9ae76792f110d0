"""The agents' side: each agent's hook protocol (`protocols`) and its settings files
(`settings`). Pure adapters: they may use `safesh.model` and the standard library, never a
front end.
"""
