"""Applying batches of core-system records through the domain services.

`runner` groups records by company and applies each company's records in one transaction
(all or nothing); `parties`, `leases` and `money` hold one function per record kind, each
upserting by the core system's external id and answering "created", "updated" or "unchanged".
"""
