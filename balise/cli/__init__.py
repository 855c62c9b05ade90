"""The command line: Typer apps, one module per command group; printing and prompts only."""
