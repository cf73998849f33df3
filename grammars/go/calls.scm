; Function and method calls.
(call_expression function: (_) @callee arguments: (argument_list) @args) @call
