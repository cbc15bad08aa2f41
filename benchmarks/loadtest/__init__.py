"""Load-test helpers: a minimal baseline app and a threaded HTTP load driver."""
