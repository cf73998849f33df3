; Regular, verbatim, raw and interpolated strings (an interpolation makes the value non-literal).
(string_literal) @string
(verbatim_string_literal) @string
(raw_string_literal) @string
(interpolated_string_expression) @string
