"""Applying batches of core-system records through the domain services.

`runner` groups records by company and applies each company's records in one transaction
(all or nothing); `parties`, `leases` and `money` hold one function per record kind, each
upserting by the core system's external id and answering "created", "updated" or "unchanged".
`bulk` (invoices), `bulk_corrections`, `bulk_payments` and `bulk_leases` (contracts with assets,
schedules, fees, policies) apply a whole run of one kind at once, in a few queries per kind,
with the same checks and the same result as those functions record by record; `fleet` does the
same for service visits, damages, fuel transactions and mileage readings. `fingerprints`
recognises a record sent again unchanged before it is validated.
"""
