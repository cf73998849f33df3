; Assignments, also inside object initializers (`new HttpClientHandler { X = ... }`) and `+=`.
(assignment_expression left: (_) @key right: (_) @value) @pair
; Declarations (`var key = "..."`, `const string Key = "..."`).
(variable_declarator name: (identifier) @key "=" (_) @value) @pair
; Named arguments (`expires: DateTime.UtcNow.AddDays(1)`).
(argument name: (identifier) @key (_) @value) @pair
