"""The pipeline's steps, one module each: draft, check, signoff, consent, publish, takedown, due.

A step is the one home of a use case: the command line, the web app and the queue's jobs call it
and then run what it returns after their commit (`after_commit.run_after_commit`).
"""
