; String literals (an interpolation `#{x}` makes the value non-literal).
(string) @string
