"""The chaos run (``make chaos``): see __main__.py and docs/reliability.md."""
