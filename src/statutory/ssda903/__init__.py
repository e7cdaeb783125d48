"""SSDA903: children looked after and care leavers."""
