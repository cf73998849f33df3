; String literals (f-strings included; their interpolations make them non-literal).
(string) @string
