"""balise: scheduled social-media publishing behind the ROEQ compliance gate."""

__version__ = "0.1.0"
