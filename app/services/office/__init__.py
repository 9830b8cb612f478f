"""The office workspace: accounts, passwords, the signed-in account, dashboard, rounds."""
