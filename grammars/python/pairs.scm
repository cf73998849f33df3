; Key/value pairs: dictionary entries and keyword arguments.
(pair key: (_) @key value: (_) @value) @pair
(keyword_argument name: (identifier) @key value: (_) @value) @pair
; Assignments (`verify = False`, `claims = {...}`): the value of a local or module name.
(assignment left: (_) @key right: (_) @value) @pair
