curl -H "Authorization: token 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" https://api.github.com/user
