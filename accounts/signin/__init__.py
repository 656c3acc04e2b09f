"""The three-step client sign-in, sign-out, session expiry and the password change."""
