login(token="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")
