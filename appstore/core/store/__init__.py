"""Signed stores: trust (TUF), fetching with mirror failover, configuration, offline use."""
