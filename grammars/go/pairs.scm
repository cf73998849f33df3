; Keyed elements of composite literals (`tls.Config{InsecureSkipVerify: true}`, `jwt.MapClaims{"exp": ...}`).
(keyed_element key: (_) @key value: (_) @value) @pair
; Assignments and declarations of one name (`x.InsecureSkipVerify = true`, `claims := jwt.MapClaims{...}`,
; `const key = "..."`).
(assignment_statement left: (expression_list . (_) @key .) right: (expression_list . (_) @value .)) @pair
(short_var_declaration left: (expression_list . (_) @key .) right: (expression_list . (_) @value .)) @pair
(var_spec name: (identifier) @key value: (expression_list . (_) @value .)) @pair
(const_spec name: (identifier) @key value: (expression_list . (_) @value .)) @pair
