; Method invocations (callee = receiver chain + name) and constructor calls.
(method_invocation name: (identifier) @name arguments: (argument_list) @args) @call
(object_creation_expression type: (_) @callee arguments: (argument_list) @args) @call
