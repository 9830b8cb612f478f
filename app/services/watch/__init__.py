"""Watch lists: a buyer's certificates and products, confirmed by e-mail, alerted by `cnnt alerts run`."""
