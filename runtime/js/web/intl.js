// intl
