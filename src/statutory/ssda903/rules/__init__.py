"""The SSDA903 checks: one module per group of DfE codes.

Every module in this package is imported by `Registry.load("903")` (pkgutil), so adding a
module is all it takes; nothing lists them. Shared helpers live in `_helpers.py`.
"""
