"""`alliance 903 …`: the SSDA903 commands."""

import typer

app = typer.Typer(help="SSDA903 (children looked after and care leavers).", no_args_is_help=True)
