; Declarations (`val key = "..."`, `const val KEY = "..."`) and assignments (`x.y = true`).
(property_declaration (variable_declaration (identifier) @key) "=" (_) @value) @pair
(assignment left: (_) @key right: (_) @value) @pair
; `"exp" to t` inside `mapOf(...)`.
(infix_expression (_) @key . (identifier) @op . (_) @value (#eq? @op "to")) @pair
; Named arguments (`foo(verify = false)`).
(value_argument (identifier) @key "=" (_) @value) @pair
