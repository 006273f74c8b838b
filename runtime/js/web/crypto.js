// crypto
