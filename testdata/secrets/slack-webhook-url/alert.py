WEBHOOK = "https://hooks.slack.com/services/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"
