"""The interactive shell for humans: the read-judge-run loop (`repl`), the persistent bash
behind it (`bash_session`), the terminal relay (`relay`) and asking a human (`prompts`).
A front end: it may use every stage; no stage imports it.
"""
