"""Comments on the organization's posts: what comes back, triaged the policy's way."""
