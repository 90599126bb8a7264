"""The services that change appeals, one module per stage; the only code that does."""
