; Array entries (`'verify' => false`, `CURLOPT_SSL_VERIFYPEER => false`).
(array_element_initializer (_) @key "=>" (_) @value) @pair
; Assignments (`$payload = [...]`, `$this->key = '...'`) and class constants (`const KEY = '...'`).
(assignment_expression left: (_) @key right: (_) @value) @pair
(const_element (name) @key "=" (_) @value) @pair
(property_element name: (variable_name) @key default_value: (_) @value) @pair
; Named arguments (PHP 8: `foo(verify: false)`).
(argument name: (name) @key (_) @value) @pair
