"""Managing people without the command line: administrators invite people, give and take away
roles, deactivate accounts and reset two-step verification; everyone can reset a forgotten
password. Service administrators reach every organisation, organisation administrators their own
(the access policy's PEOPLE area)."""
