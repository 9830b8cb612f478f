"""Outgoing e-mail: rendered from templates, queued in the caller's transaction, sent after commit.

`queue_mail` is what use-cases call; `deliver_due` and `MailSender` send (app/main.py starts the
sender, `cnnt mail send` runs one pass for cron).
"""

from app.services.mail.delivery import DeliveryReport, MailSender, Sender, deliver_due
from app.services.mail.outbox import queue_mail, recent_mail
from app.services.mail.render import configure_mail

__all__ = ["DeliveryReport", "MailSender", "Sender", "configure_mail", "deliver_due", "queue_mail",
           "recent_mail"]
