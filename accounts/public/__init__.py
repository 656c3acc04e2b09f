"""Public self-service, before signing in: the access application and the password reset."""
