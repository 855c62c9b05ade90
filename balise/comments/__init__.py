"""Comments on the organization's posts: what comes back, triaged the policy's way.

`triage` (the gate's engine) sorts them, `store` keeps them once each, `figures` counts them for
the report; reading them from the platforms and acting on one (answer, hide, delete, each audited
with who and why) are the pipeline's step `balise.pipeline.comments`.
"""
