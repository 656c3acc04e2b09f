// eBOK client-side helpers (progressive enhancement only).
