"""`alliance cin …`: the CIN census commands."""

import typer

app = typer.Typer(help="CIN census (children in need, child protection).", no_args_is_help=True)
