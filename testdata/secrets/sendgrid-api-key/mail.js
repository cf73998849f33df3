sgMail.setApiKey("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");
