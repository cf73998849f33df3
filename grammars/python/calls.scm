; Calls with their callee and argument list (positional and keyword arguments).
(call function: (_) @callee arguments: (argument_list) @args) @call
