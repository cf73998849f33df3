curl -H "Authorization: token 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" https://api.github.com/user
