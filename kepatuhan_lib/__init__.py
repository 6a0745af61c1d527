"""kepatuhan: ingest, score and report Ombudsman RI's public-service compliance assessment."""

__version__ = "0.1.0"
