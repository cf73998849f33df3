echo "//registry.npmjs.org/:_authToken=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" > ~/.npmrc
