; Interpreted and raw string literals.
(interpreted_string_literal) @string
(raw_string_literal) @string
