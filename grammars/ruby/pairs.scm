; Hash entries and keyword arguments (`verify_mode: OpenSSL::SSL::VERIFY_NONE`, `"exp" => t`).
(pair key: (_) @key value: (_) @value) @pair
; Assignments (`http.verify_mode = ...`, `KEY = '...'`, `@secret = ...`).
(assignment left: (_) @key right: (_) @value) @pair
