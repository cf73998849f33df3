; `Foo::Bar.new(args)`: the callee is the class (`Aws::Credentials`), like `new X(...)` elsewhere.
(call receiver: (_) @callee method: (identifier) @m arguments: (argument_list) @args (#eq? @m "new")) @call
; Other calls, with or without parentheses (`JWT.encode payload, key`); callee = text before the arguments.
(call method: (_) @name arguments: (argument_list) @args (#not-eq? @name "new")) @call
