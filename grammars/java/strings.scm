; String literals and text blocks.
(string_literal) @string
