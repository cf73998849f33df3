; Key/value pairs: dictionary entries and keyword arguments.
(pair key: (_) @key value: (_) @value) @pair
(keyword_argument name: (identifier) @key value: (_) @value) @pair
