; String literals and template strings. Also used for TypeScript and TSX.
(string) @string
(template_string) @string
