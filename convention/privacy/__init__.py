"""Privacy (GDPR): versioned privacy notices and consents, a person's data export and
account deletion, retention per edition, the record of processing. Above every domain:
it reads (and erases from) all of them."""
