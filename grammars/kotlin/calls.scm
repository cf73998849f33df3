; Calls with an argument list (`BasicAWSCredentials("…", "…")`, `builder.hostnameVerifier(v)`) and calls
; with only a trailing lambda (`hostnameVerifier { _, _ -> true }`).
(call_expression . (_) @callee . (value_arguments) @args) @call
(call_expression . (_) @callee . (annotated_lambda) @args) @call
