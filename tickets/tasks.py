"""Celery tasks: thin wrappers that load by id and call a service or a sender."""

from celery import shared_task

from tickets import notifications, services

# Mail servers fail transiently; retry with backoff rather than lose the notification.
_mail_retry = {
    "autoretry_for": (OSError,),
    "retry_backoff": True,
    "retry_kwargs": {"max_retries": 5},
}


@shared_task(**_mail_retry)
def send_ticket_received(ticket_id: int) -> None:
    notifications.send_ticket_received(ticket_id)


@shared_task(**_mail_retry)
def send_agent_reply(message_id: int) -> None:
    notifications.send_agent_reply(message_id)


@shared_task(**_mail_retry)
def send_ticket_resolved(ticket_id: int) -> None:
    notifications.send_ticket_resolved(ticket_id)


@shared_task(**_mail_retry)
def send_sla_breached(ticket_id: int) -> None:
    notifications.send_sla_breached(ticket_id)


@shared_task
def sla_sweep() -> int:
    return len(services.sla_sweep())
