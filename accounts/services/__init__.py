"""The code that changes credit lines: `ledger` moves money (and only it does); `policy` decides
what a reported refund or bill means under the risk rules and asks the ledger to act on it."""
