"""Publishing: the adapter interface, one module per platform, and the publish job's logic."""
