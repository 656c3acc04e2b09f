from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..forms import InvoiceIdsField
from .selectors import MAX_TICKED, SCOPE_ALL, SCOPE_OVERDUE


class PaySelectionForm(forms.Form):
    """The invoices to pay: ticked in the list (`invoice=1&invoice=2`) or a dashboard scope
    ("overdue", "all"). Ids of other companies' invoices pass here and the selector drops them."""

    invoice = InvoiceIdsField(required=False)
    scope = forms.ChoiceField(
        required=False,
        choices=[("", ""), (SCOPE_OVERDUE, _("po terminie")), (SCOPE_ALL, _("całe saldo"))],
        error_messages={
            "invalid_choice": _("Nie rozpoznano, co zapłacić. Wybierz faktury na liście.")
        },
    )

    # The fingerprint of what the checkout showed (`selectors.Selection.digest`): the order is
    # made only for exactly that.
    shown = forms.CharField(max_length=64, required=False)

    def clean_invoice(self) -> list[int]:
        ids = self.cleaned_data["invoice"]
        if len(ids) > MAX_TICKED:
            raise forms.ValidationError(
                _("Zaznacz najwyżej %(count)d faktur naraz albo zapłać całe saldo z pulpitu.")
                % {"count": MAX_TICKED}
            )
        return ids

    def selection(self) -> dict:
        """Keyword arguments of `selectors.payable_invoices` (valid form only)."""
        ids = self.cleaned_data["invoice"]
        if ids:
            return {"ids": ids}
        return {"scope": self.cleaned_data["scope"]}


class DemoGatewayForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=[("paid", "paid"), ("cancelled", "cancelled"), ("failed", "failed")]
    )
