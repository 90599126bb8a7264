"""The customer's pages: limit details, filing and following appeals, messages, help."""
