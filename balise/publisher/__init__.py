"""The platform adapters: one interface (`base.py`), one module per platform (`platforms/`),
and how one is found (`registry.py`). The use cases that call them are in `balise.pipeline`."""
