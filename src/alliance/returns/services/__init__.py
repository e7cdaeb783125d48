"""The returns app's domain logic, one module for each thing its users do (see docs/returns.md).
No request objects: views and tasks pass plain values. Other apps read it only through
`alliance.returns.interface`."""
