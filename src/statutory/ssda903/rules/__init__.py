"""The SSDA903 checks: one module per range of DfE codes. The rule with code N is in the module
`r<M>s.py` with the largest M not above N (every four-digit code in `r1000s.py`); the checks the
open-source validator adds are named by their prefix (`integrity.py`: INT, EPI, NoE;
`social_work.py`: SW).

Every module in this package is imported by `Registry.load("903")` (pkgutil), so adding a
module is all it takes; nothing lists them. Shared helpers live in `_helpers.py`.
"""
