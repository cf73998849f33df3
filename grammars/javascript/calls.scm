; Calls and constructor calls (`new X(...)`). Also used for TypeScript and TSX.
(call_expression function: (_) @callee arguments: (arguments) @args) @call
(new_expression constructor: (_) @callee arguments: (arguments) @args) @call
