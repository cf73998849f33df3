; Single-quoted and double-quoted strings (a `{$x}` / `$x` interpolation makes the value non-literal).
(string) @string
(encapsed_string) @string
