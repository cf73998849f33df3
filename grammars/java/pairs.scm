; Assignments (`verifier = ...`); Java has no map literals, `Map.of(k, v)` is read from calls.
(assignment_expression left: (_) @key right: (_) @value) @pair
