; Keyed elements of composite literals (`tls.Config{InsecureSkipVerify: true}`, `jwt.MapClaims{"exp": ...}`).
(keyed_element key: (_) @key value: (_) @value) @pair
