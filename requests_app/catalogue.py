"""The request types every installation starts with, in Polish and English (the data migration
and `seed_demo` load them; staff change them in admin afterwards).

The types are those of the reference portals: Millennium Leasing (travel abroad, lending the
vehicle, early termination, contact data change), PKO Leasing (opinion, early termination
offer, policy duplicate, schedule change offer, change of registered seat) and the
registration-office authorisation and settlement question of the issue.
"""

from __future__ import annotations

from decimal import Decimal

ACTIVE_OR_SIGNED = ["signed", "active"]

FEES = [
    ("abroad", "Zgoda na wyjazd za granicę", "Consent to travel abroad", "150.00"),
    ("lending", "Zgoda na użyczenie pojazdu", "Consent to lend the vehicle", "200.00"),
    ("opinion", "Wydanie opinii o współpracy", "Opinion on cooperation", "150.00"),
    ("policy-duplicate", "Duplikat polisy", "Policy duplicate", "50.00"),
    (
        "schedule-change",
        "Zmiana harmonogramu na wniosek klienta",
        "Schedule change on request",
        "400.00",
    ),
    (
        "registration-office",
        "Upoważnienie do wydziału komunikacji",
        "Registration office authorisation",
        "100.00",
    ),
]

PERSON = ("person", "person", "Kierowca / osoba korzystająca", "Driver / user", True, "")
REGISTRATION = (
    "vehicle",
    "registration",
    "Numer rejestracyjny pojazdu",
    "Vehicle registration number",
    True,
    "",
)

# (code, name pl, name en, description pl, description en, contract rule, statuses, kinds, fee,
#  days, critical, fields: (key, type, label pl, label en, required, choices))
TYPES = [
    (
        "travel-abroad",
        "Zgoda na wyjazd pojazdem za granicę",
        "Authorisation to travel abroad with the vehicle",
        "Upoważnienie do wyjazdu leasingowanym pojazdem poza Polskę, w języku kraju docelowego.",
        "An authorisation to take the leased vehicle outside Poland.",
        "required",
        ACTIVE_OR_SIGNED,
        [],
        "abroad",
        3,
        False,
        [
            ("country", "country", "Kraj docelowy", "Destination country", True, ""),
            ("period", "date_range", "Okres wyjazdu", "Travel period", True, ""),
            REGISTRATION,
            PERSON,
        ],
    ),
    (
        "lending",
        "Zgoda na użyczenie pojazdu osobie trzeciej",
        "Consent to lend the vehicle to a third party",
        "Zgoda leasingodawcy na korzystanie z pojazdu przez osobę spoza Twojej firmy.",
        "The lessor's consent for a person outside your company to use the vehicle.",
        "required",
        ACTIVE_OR_SIGNED,
        [],
        "lending",
        5,
        True,
        [
            REGISTRATION,
            (
                "borrower",
                "person",
                "Osoba, której użyczasz pojazd",
                "Person the vehicle is lent to",
                True,
                "",
            ),
            ("period", "date_range", "Okres użyczenia", "Lending period", True, ""),
            ("purpose", "long_text", "Cel użyczenia", "Purpose", False, ""),
        ],
    ),
    (
        "early-termination",
        "Przedterminowe zakończenie umowy",
        "Early termination of the contract",
        "Wniosek o zakończenie umowy przed terminem z wykupem przedmiotu leasingu.",
        "A request to end the contract early and buy out the asset.",
        "required",
        ["active"],
        [],
        None,
        10,
        True,
        [
            ("date", "date", "Planowana data zakończenia", "Planned termination date", True, ""),
            (
                "buyer",
                "choice",
                "Kto wykupi przedmiot",
                "Who buys the asset out",
                True,
                "client | Korzystający | The lessee\nthird | Osoba trzecia | A third party",
            ),
        ],
    ),
    (
        "early-termination-offer",
        "Oferta przedterminowego zakończenia umowy",
        "Early termination offer",
        "Przygotujemy kalkulację kosztów zakończenia umowy przed terminem.",
        "We prepare the cost of ending the contract early.",
        "required",
        ["active"],
        [],
        None,
        5,
        False,
        [("date", "date", "Na dzień", "As of", True, "")],
    ),
    (
        "contact-data-change",
        "Zmiana danych kontaktowych firmy",
        "Change of company contact data",
        "Nowy adres korespondencyjny, e-mail lub telefon firmy do kontaktu w sprawie umów.",
        "A new correspondence address, e-mail or phone of the company.",
        "none",
        [],
        [],
        None,
        3,
        True,
        [
            (
                "address",
                "long_text",
                "Nowy adres korespondencyjny",
                "New correspondence address",
                False,
                "",
            ),
            ("email", "email", "Nowy e-mail firmy", "New company e-mail", False, ""),
            ("phone", "phone", "Nowy telefon kontaktowy", "New contact phone", False, ""),
            ("from", "date", "Obowiązuje od", "Valid from", True, ""),
        ],
    ),
    (
        "opinion",
        "Opinia o współpracy",
        "Opinion on cooperation",
        "Opinia o historii współpracy i terminowości płatności, np. dla banku lub do przetargu.",
        "An opinion on the cooperation and payment history, e.g. for a bank or a tender.",
        "none",
        [],
        [],
        "opinion",
        5,
        False,
        [
            ("addressee", "text", "Dla kogo", "Addressed to", True, ""),
            (
                "language",
                "choice",
                "Język opinii",
                "Language",
                True,
                "pl | polski | Polish\nen | angielski | English",
            ),
        ],
    ),
    (
        "policy-duplicate",
        "Duplikat polisy",
        "Policy duplicate",
        "Kopia polisy ubezpieczeniowej przedmiotu leasingu.",
        "A copy of the leased asset's insurance policy.",
        "required",
        [],
        [],
        "policy-duplicate",
        3,
        False,
        [
            (
                "policy",
                "choice",
                "Rodzaj polisy",
                "Policy type",
                True,
                "oc | OC | Third-party liability\nac | AC | Comprehensive\n"
                "nnw | NNW | Personal accident\nproperty | majątkowa | Property",
            ),
            (
                "delivery",
                "choice",
                "Sposób doręczenia",
                "Delivery",
                True,
                "ebok | w eBOK | in eBOK\npost | pocztą | by post",
            ),
        ],
    ),
    (
        "schedule-change-offer",
        "Oferta zmiany harmonogramu",
        "Schedule change offer",
        "Propozycja zmiany wysokości lub terminów rat (np. wakacje leasingowe).",
        "A proposal to change the installments' amounts or dates.",
        "required",
        ["active"],
        [],
        "schedule-change",
        10,
        True,
        [
            (
                "change",
                "choice",
                "Rodzaj zmiany",
                "Kind of change",
                True,
                "lower | obniżenie rat | lower installments\n"
                "holiday | przerwa w spłacie | payment holiday\n"
                "date | zmiana dnia płatności | payment day",
            ),
            ("from", "date", "Od raty z terminem", "From the installment due on", True, ""),
            ("reason", "long_text", "Uzasadnienie", "Reason", False, ""),
        ],
    ),
    (
        "seat-change",
        "Zgłoszenie zmiany siedziby firmy",
        "Change of registered seat",
        "Zmiana siedziby Korzystającego; dołącz aktualny odpis z KRS lub wydruk z CEIDG.",
        "A change of the lessee's registered seat; attach a current register extract.",
        "none",
        [],
        [],
        None,
        5,
        True,
        [
            ("address", "long_text", "Nowy adres siedziby", "New registered address", True, ""),
            ("from", "date", "Data zmiany", "Date of change", True, ""),
            (
                "register",
                "attachment",
                "Odpis z KRS / wydruk z CEIDG",
                "Register extract (KRS / CEIDG)",
                True,
                "",
            ),
        ],
    ),
    (
        "registration-office",
        "Upoważnienie do wydziału komunikacji",
        "Authorisation for the vehicle registration office",
        "Upoważnienie do załatwienia sprawy pojazdu w wydziale komunikacji.",
        "An authorisation to handle the vehicle's matter at the registration office.",
        "required",
        ACTIVE_OR_SIGNED,
        [],
        "registration-office",
        3,
        False,
        [
            (
                "matter",
                "choice",
                "Sprawa",
                "Matter",
                True,
                "register | rejestracja | registration\n"
                "reregister | przerejestrowanie | re-registration\n"
                "duplicate | wtórnik dowodu rejestracyjnego | duplicate registration certificate\n"
                "plates | tablice rejestracyjne | number plates\nother | inna | other",
            ),
            REGISTRATION,
            ("proxy", "person", "Osoba upoważniona", "Authorised person", True, ""),
            (
                "office",
                "text",
                "Wydział komunikacji (miasto)",
                "Registration office (city)",
                True,
                "",
            ),
        ],
    ),
    (
        "settlement-question",
        "Pytanie o rozliczenia / księgowość",
        "Settlement / accounting question",
        "Saldo, nadpłata, korekta faktury, potwierdzenie salda.",
        "Balance, overpayment, invoice correction, balance confirmation.",
        "optional",
        [],
        [],
        None,
        5,
        False,
        [
            (
                "topic",
                "choice",
                "Czego dotyczy",
                "Topic",
                True,
                "balance | saldo i potwierdzenie salda | balance and confirmation\n"
                "overpayment | nadpłata i zwrot | overpayment and refund\n"
                "correction | korekta faktury | invoice correction\nother | inne | other",
            ),
            (
                "invoice",
                "text",
                "Numer faktury (opcjonalnie)",
                "Invoice number (optional)",
                False,
                "",
            ),
            ("amount", "amount", "Kwota (opcjonalnie)", "Amount (optional)", False, ""),
            ("question", "long_text", "Pytanie", "Question", True, ""),
        ],
    ),
]


def load_catalogue(Fee, RequestType, RequestField) -> None:
    """Create or update the seeded types (by code); types staff added stay as they are."""
    fees = {}
    for code, name_pl, name_en, net in FEES:
        fees[code], _created = Fee.objects.update_or_create(
            code=code, defaults={"name_pl": name_pl, "name_en": name_en, "net": Decimal(net)}
        )
    for order, row in enumerate(TYPES, start=1):
        (
            code,
            name_pl,
            name_en,
            desc_pl,
            desc_en,
            rule,
            statuses,
            kinds,
            fee,
            days,
            critical,
            fields,
        ) = row
        request_type, _created = RequestType.objects.update_or_create(
            code=code,
            defaults={
                "name_pl": name_pl,
                "name_en": name_en,
                "description_pl": desc_pl,
                "description_en": desc_en,
                "contract_rule": rule,
                "contract_statuses": statuses,
                "contract_kinds": kinds,
                "fee": fees.get(fee),
                "handling_days": days,
                "is_critical": critical,
                "order": order * 10,
            },
        )
        for position, (key, kind, label_pl, label_en, required, choices) in enumerate(fields, 1):
            RequestField.objects.update_or_create(
                request_type=request_type,
                key=key,
                defaults={
                    "field_type": kind,
                    "label_pl": label_pl,
                    "label_en": label_en,
                    "required": required,
                    "choices": choices,
                    "order": position * 10,
                },
            )
