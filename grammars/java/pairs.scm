; Assignments (`verifier = ...`); Java has no map literals, `Map.of(k, v)` is read from calls.
(assignment_expression left: (_) @key right: (_) @value) @pair
; Declarations (`String key = "..."`, `static final String KEY = "..."`).
(variable_declarator name: (_) @key value: (_) @value) @pair
