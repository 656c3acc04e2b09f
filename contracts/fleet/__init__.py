"""Fleet data for clients with car fleet management (CFM): service visits, damages and claims,
fuel card transactions and mileage readings per leased vehicle, and what they cost per month.

A Django app of its own (label ``fleet``) inside ``contracts``: every row hangs off a leased
asset of a contract, so contract scoping and restrictions come from ``contracts.selectors``.
"""
