; Method invocations (`client.Get(url, verify: false)`) and constructor calls (`new JwtSecurityToken(...)`).
(invocation_expression function: (_) @callee arguments: (argument_list) @args) @call
(object_creation_expression type: (_) @callee arguments: (argument_list) @args) @call
