; String literals (a `$x` / `${x}` template makes the value non-literal).
(string_literal) @string
