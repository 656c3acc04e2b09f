"""The signed-in user's profile: own and company data, contact changes (with the new e-mail
address confirmed by a link), consents with their history."""
