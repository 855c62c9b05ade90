"""Comments on the organization's posts: what comes back, triaged the policy's way.

`fetch` reads them from the platforms, `triage` (the gate's engine) sorts them, `store` keeps
them once each, `actions` answers, hides, deletes, each audited with who and why.
"""
