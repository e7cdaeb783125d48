"""The DfE CIN census validation rules, one module per CIN module (table).

Every module is imported by `Registry.load("cin")`; codes, messages, years and ERROR/QUERY come
from `../shared/data/cin-rules.csv`. Dates are compared with the collection year's dates from
the context (`ctx.reference_date`, 31 March; `ctx.collection_start`, 1 April before), which is
what the header's `ReferenceDate` must say (rule 100 checks it).

LA-level queries (2883, 2886Q, 2887Q, 2888Q) are about the whole return, not a row: their
findings name the module as `table` and have no row number or child.
"""
