"""E-mail leaves through the queue: a slow or absent mail server never holds a web request."""

from .queue import defer


def queue_mail(subject: str, body: str, to: list[str], html: str = "", from_email: str = "") -> int:
    return defer("jobs.send_email", subject=str(subject), body=body, to=list(to), html=html, from_email=from_email)
