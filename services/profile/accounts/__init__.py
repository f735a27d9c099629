"""Accounts: users and admins (passwords hashed off the event loop), partner API keys, the audit log."""
