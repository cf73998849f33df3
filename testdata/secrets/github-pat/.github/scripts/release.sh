curl -H "Authorization: token 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" https://api.github.com/user
