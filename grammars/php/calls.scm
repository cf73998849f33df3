; Function calls, method calls (`$client->request(...)`), static calls (`JWT::encode(...)`), `new X(...)`.
(function_call_expression function: (_) @callee arguments: (arguments) @args) @call
(member_call_expression name: (_) @name arguments: (arguments) @args) @call
(nullsafe_member_call_expression name: (_) @name arguments: (arguments) @args) @call
(scoped_call_expression name: (_) @name arguments: (arguments) @args) @call
(object_creation_expression [(name) (qualified_name)] @callee (arguments) @args) @call
