"""Comments: what comes back under the organization's posts, the policy's other half.

`fetch` reads them from the platforms, `triage` (the gate's engine) sorts them, `store` keeps
them once each, `actions` answers, hides, deletes, each audited with who and why.
"""
