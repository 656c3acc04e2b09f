"""Public self-service, before signing in: the access application, the password reset and the
self-registration ("Zarejestruj się")."""
