; Object properties and assignments (`process.env.X = '0'`). Also used for TypeScript and TSX.
(pair key: (_) @key value: (_) @value) @pair
(assignment_expression left: (_) @key right: (_) @value) @pair
; Declarations (`const opts = { ... }`): the value of a local name.
(variable_declarator name: (_) @key value: (_) @value) @pair
